/**
 * The last ids seen, to drop redelivered events: workflow events are delivered at least
 * once (the outbox sweeper may publish an event again whose first publish it could not
 * see succeed), and a subscriber should see each once. Bounded: the oldest id is
 * forgotten first, and a redelivery comes soon after the original, well inside the window.
 */
export class RecentIds {
  // A Set iterates in insertion order, which makes it its own eviction queue.
  private readonly ids = new Set<string>();

  constructor(private readonly capacity: number) {}

  /** True the first time `id` is seen among the last `capacity` ids. */
  firstSighting(id: string): boolean {
    if (this.ids.has(id)) return false;
    this.ids.add(id);
    if (this.ids.size > this.capacity) {
      const oldest = this.ids.values().next().value;
      if (oldest !== undefined) this.ids.delete(oldest);
    }
    return true;
  }
}
