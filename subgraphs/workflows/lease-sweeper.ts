/**
 * Periodically takes over runs whose lease expired (a coordinator died or stalled) so
 * they resume elsewhere. The first sweep runs at start, which also picks up this
 * coordinator's own runs from before a restart once their leases lapse.
 */
import type { Logger } from '../../platform/logger';
import { PeriodicJob } from '../../platform/periodic-job';
import type { WorkflowCoordinator } from './coordinator';

export function createLeaseSweeper(
  coordinator: WorkflowCoordinator,
  intervalMs: number,
  log: Logger,
): PeriodicJob {
  return new PeriodicJob({
    name: 'lease-sweeper',
    intervalMs,
    runAtStart: true,
    run: () => coordinator.resumeOrphans(),
    log,
  });
}
