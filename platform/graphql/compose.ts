/**
 * Composition of the subgraph SDL files into the supergraph the gateway serves. The
 * routing URLs written into the supergraph are the local defaults; the gateway replaces
 * them with the configured HOOKS_URL, WORKFLOWS_URL and MODEL_METRICS_URL at run time.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';

export const SCHEMA_DIR = path.resolve(__dirname, '../../schema');
export const SUPERGRAPH_FILE = path.join(SCHEMA_DIR, 'supergraph.graphql');

export const SUBGRAPHS = [
  { name: 'hooks', file: 'hooks.graphql', url: 'http://127.0.0.1:4001/graphql' },
  { name: 'workflows', file: 'workflows.graphql', url: 'http://127.0.0.1:4002/graphql' },
  { name: 'model-metrics', file: 'model-metrics.graphql', url: 'http://127.0.0.1:4003/graphql' },
  // Served by the gateway process itself: API keys, the audit log, the viewer.
  { name: 'identity', file: 'identity.graphql', url: 'http://127.0.0.1:4000/identity/graphql' },
] as const;

export type SubgraphName = (typeof SUBGRAPHS)[number]['name'];

export async function readSubgraphSdl(name: SubgraphName): Promise<string> {
  const subgraph = SUBGRAPHS.find((candidate) => candidate.name === name);
  if (!subgraph) throw new Error(`unknown subgraph ${name}`);
  return readFile(path.join(SCHEMA_DIR, subgraph.file), 'utf8');
}

export class CompositionError extends Error {
  override name = 'CompositionError';
}

export interface SubgraphSource {
  name: string;
  /** SDL file, relative to schema/ or absolute. */
  file: string;
  url: string;
}

export async function composeSupergraph(
  subgraphs: readonly SubgraphSource[] = SUBGRAPHS,
): Promise<string> {
  const services = await Promise.all(
    subgraphs.map(async ({ name, file, url }) => ({
      name,
      url,
      typeDefs: parse(await readFile(path.resolve(SCHEMA_DIR, file), 'utf8')),
    })),
  );
  const result = composeServices(services);
  if (result.errors) {
    throw new CompositionError(
      `composition failed:\n${result.errors.map((error) => `  ${error.message}`).join('\n')}`,
    );
  }
  return result.supergraphSdl;
}
