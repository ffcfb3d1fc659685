/**
 * The EventBus of the embedded default: an in-process, append-only log per topic with
 * consumer groups and committed offsets. One partition per topic keeps ordering for
 * every key; records are stored encoded exactly as on Kafka, so the same decoding (and
 * the same poison-message handling) runs in both modes. Nothing survives a restart.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

import type { Logger } from '../logger';
import { EnvelopeError, type KafkaRecord, fromKafkaRecord, toKafkaRecord } from './envelope';
import type { EventBus, OutgoingEvent, SubscribeOptions, Subscription } from './event-bus';

interface GroupState {
  /** Next offset to deliver, per topic. */
  offsets: Map<string, number>;
  /** Only the first member consumes, as with one partition on Kafka. */
  members: Array<symbol>;
}

const HANDLER_RETRY_FIRST_MS = 100;
const HANDLER_RETRY_MAX_MS = 5_000;

export class MemoryEventBus implements EventBus {
  readonly kind = 'memory' as const;
  private readonly logs = new Map<string, KafkaRecord[]>();
  private readonly groups = new Map<string, GroupState>();
  private readonly appended = new EventEmitter().setMaxListeners(0);
  /** Grows with every append: a consumer that found nothing waits only if it did not move. */
  private appends = 0;
  private readonly log: Logger;
  private closed = false;

  constructor(log: Logger) {
    this.log = log.child({ component: 'memory-event-bus' });
  }

  async publish(topic: string, events: OutgoingEvent[]): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    const records = this.topicLog(topic);
    for (const { envelope, key } of events) records.push(toKafkaRecord(envelope, key));
    this.notifyAppend();
  }

  async publishRaw(topic: string, records: KafkaRecord[]): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
    this.topicLog(topic).push(...records);
    this.notifyAppend();
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const group = this.groupState(options.groupId);
    for (const topic of options.topics) {
      if (!group.offsets.has(topic)) {
        group.offsets.set(topic, options.fromBeginning ? 0 : this.topicLog(topic).length);
      }
    }
    const member = Symbol(options.groupId);
    group.members.push(member);
    let stopping = false;
    const pump = (async () => {
      while (!stopping && !this.closed) {
        const isActive = group.members[0] === member;
        const appendsBefore = this.appends;
        const delivered = isActive && (await this.deliverNext(group, options, () => stopping));
        if (!delivered) await this.waitForAppend(appendsBefore, () => stopping);
      }
    })();
    return {
      stop: async () => {
        stopping = true;
        group.members.splice(group.members.indexOf(member), 1);
        this.appended.emit('append');
        await pump;
      },
    };
  }

  async ensureTopics(topics: string[]): Promise<void> {
    for (const topic of topics) this.topicLog(topic);
  }

  async ping(): Promise<void> {
    if (this.closed) throw new Error('event bus is closed');
  }

  async close(): Promise<void> {
    this.closed = true;
    this.appended.emit('append');
  }

  /** Test and replay helper: every record a topic holds, decoded. */
  records(topic: string): KafkaRecord[] {
    return [...this.topicLog(topic)];
  }

  private async deliverNext(
    group: GroupState,
    options: SubscribeOptions,
    isStopping: () => boolean,
  ): Promise<boolean> {
    for (const topic of options.topics) {
      const offset = group.offsets.get(topic) ?? 0;
      const record = this.topicLog(topic)[offset];
      if (!record) continue;
      const raw = { value: record.value, headers: record.headers };
      const common = { topic, partition: 0, offset: String(offset), key: record.key, raw };
      try {
        const envelope = fromKafkaRecord(record.headers, record.value);
        await this.handleWithRetry(() => options.handle({ ...common, envelope }), isStopping);
      } catch (error) {
        if (!(error instanceof EnvelopeError)) throw error;
        if (options.handleUndecodable) await options.handleUndecodable({ ...common, error });
        else this.log.error({ topic, offset, err: error }, 'undecodable event skipped');
      }
      if (isStopping()) return false;
      group.offsets.set(topic, offset + 1);
      return true;
    }
    return false;
  }

  private async handleWithRetry(handle: () => Promise<void>, isStopping: () => boolean) {
    for (let delayMs = HANDLER_RETRY_FIRST_MS; !isStopping() && !this.closed;) {
      try {
        return await handle();
      } catch (error) {
        this.log.warn({ err: error, retryInMs: delayMs }, 'event handler failed; retrying');
        await sleep(delayMs);
        delayMs = Math.min(delayMs * 2, HANDLER_RETRY_MAX_MS);
      }
    }
  }

  private notifyAppend(): void {
    this.appends += 1;
    this.appended.emit('append');
  }

  /**
   * Waits for the next append, unless one happened since `appendsBefore`: an append made
   * by other promise callbacks between a consumer's look at the logs and its wait would
   * otherwise wake nobody, and its record would wait for the next, unrelated append.
   */
  private waitForAppend(appendsBefore: number, isStopping: () => boolean): Promise<void> {
    if (isStopping() || this.closed || this.appends !== appendsBefore) return Promise.resolve();
    return new Promise((resolve) => this.appended.once('append', () => resolve()));
  }

  private topicLog(topic: string): KafkaRecord[] {
    let records = this.logs.get(topic);
    if (!records) {
      records = [];
      this.logs.set(topic, records);
    }
    return records;
  }

  private groupState(groupId: string): GroupState {
    let group = this.groups.get(groupId);
    if (!group) {
      group = { offsets: new Map(), members: [] };
      this.groups.set(groupId, group);
    }
    return group;
  }
}
