/**
 * A workflowEvents stream: stored events first, then the live ones not among them, each
 * once. The listener is registered before the history is read, and every event committed
 * before the read is in it, so history followed by the live events misses nothing. A
 * client that subscribes late, or again after losing its connection (`after`: the last
 * event it received), gets what it missed.
 *
 * A single run's stream ends after the run's completion, which comes last; a run that
 * already finished answers its history and ends. A hook event's stream stays open: more
 * of its runs may come.
 */
import { isCompletion } from '../../platform/events/workflow-events';
import type { WorkflowEventPayload } from './workflow-event-hub';

export async function* replayThenLive(
  live: AsyncIterableIterator<WorkflowEventPayload>,
  history: () => Promise<WorkflowEventPayload[]>,
  options: { after: string | undefined; endsWithCompletion: boolean },
): AsyncGenerator<WorkflowEventPayload> {
  try {
    const past = await history();
    const seen = new Set(past.map((event) => event.id));
    // An `after` the history does not hold (a typo, another run's id) replays everything.
    const resumeAt =
      options.after === undefined ? 0 : past.findIndex((event) => event.id === options.after) + 1;
    for (const event of past.slice(resumeAt)) yield event;
    if (options.endsWithCompletion && past.some((event) => isCompletion(event.type))) return;

    let completion: WorkflowEventPayload | undefined;
    for await (const event of live) {
      if (seen.has(event.id)) continue;
      if (options.endsWithCompletion && isCompletion(event.type)) {
        completion = event;
        break;
      }
      seen.add(event.id);
      yield event;
    }
    if (!completion) return;
    // Task events and completions travel on two topics, so this replica can read a run's
    // completion before its last task events. The completion is committed after all of
    // them: the history read now has every one, and the missing ones go before it.
    for (const event of await history()) {
      if (!seen.has(event.id) && !isCompletion(event.type)) yield event;
    }
    yield completion;
  } finally {
    await live.return?.();
  }
}
