/**
 * Start and stop of a service or worker as explicit phases. A stop during start waits
 * for the start to finish; stopping twice is harmless; starting a stopped one is an error.
 */
export type Phase =
  | { kind: 'created' }
  | { kind: 'starting'; done: Promise<void> }
  | { kind: 'started' }
  | { kind: 'stopping'; done: Promise<void> }
  | { kind: 'stopped' };

export class Lifecycle {
  private phase: Phase = { kind: 'created' };

  constructor(private readonly name: string) {}

  get state(): Phase['kind'] {
    return this.phase.kind;
  }

  get isRunning(): boolean {
    return this.phase.kind === 'started';
  }

  async start(run: () => Promise<void>): Promise<void> {
    switch (this.phase.kind) {
      case 'created': {
        const done = run();
        this.phase = { kind: 'starting', done };
        try {
          await done;
          this.phase = { kind: 'started' };
        } catch (error) {
          this.phase = { kind: 'stopped' };
          throw error;
        }
        return;
      }
      case 'starting':
        return this.phase.done;
      case 'started':
        return;
      case 'stopping':
      case 'stopped':
        throw new Error(`${this.name} cannot start again after stopping`);
      default:
        return unreachable(this.phase);
    }
  }

  async stop(run: () => Promise<void>): Promise<void> {
    switch (this.phase.kind) {
      case 'created':
        this.phase = { kind: 'stopped' };
        return;
      case 'starting':
        await this.phase.done.catch(() => undefined);
        return this.stop(run);
      case 'started': {
        const done = run();
        this.phase = { kind: 'stopping', done };
        try {
          await done;
        } finally {
          this.phase = { kind: 'stopped' };
        }
        return;
      }
      case 'stopping':
        return this.phase.done;
      case 'stopped':
        return;
      default:
        return unreachable(this.phase);
    }
  }
}

export function unreachable(value: never): never {
  throw new Error(`unreachable case: ${JSON.stringify(value)}`);
}
