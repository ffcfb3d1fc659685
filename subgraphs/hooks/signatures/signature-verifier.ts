/** The contract between the intake and signature checking (see source-signatures.ts). */
import type { RequestHeaders } from '../intake/delivery-audit';

export interface SignedDelivery {
  source: string;
  headers: RequestHeaders;
  rawBody: Buffer;
}

export interface VerifiedSignature {
  scheme: string;
  /** Identifies this exact signed request; set by schemes whose signatures carry a time. */
  replayDigest?: string;
  /** How long the digest must be remembered: the scheme's timestamp tolerance. */
  replayWindowMs: number;
}

export interface SignatureVerifier {
  /**
   * Resolves undefined when the source has no signing secrets (signatures not required),
   * the verified signature when one matches an active secret, and rejects with an AppError
   * (401 INVALID_SIGNATURE) otherwise.
   */
  verify(delivery: SignedDelivery): Promise<VerifiedSignature | undefined>;
}
