/**
 * MessageBus: typed, synchronous, in-process publish/subscribe. Topics and their payload types
 * are declared in topics.ts. Handlers run in subscription order; a tap sees every message (the
 * event log and the journal use it). Nothing here knows which process or machine it runs on.
 */
import type { Topic, TopicPayload } from './topics.js';

type Handler<T extends Topic> = (msg: TopicPayload<T>) => void;
type Tap = <T extends Topic>(topic: T, msg: TopicPayload<T>) => void;

export class MessageBus {
  private handlers = new Map<Topic, Array<(msg: never) => void>>();
  private taps: Tap[] = [];
  private published = 0;

  /** Subscribes to a topic; returns the unsubscribe function. */
  subscribe<T extends Topic>(topic: T, handler: Handler<T>): () => void {
    const list = this.handlers.get(topic) ?? [];
    list.push(handler as (msg: never) => void);
    this.handlers.set(topic, list);
    return () => {
      const current = this.handlers.get(topic);
      if (!current) return;
      this.handlers.set(
        topic,
        current.filter((h) => h !== handler),
      );
    };
  }

  /** Sees every published message before the topic's handlers; returns the removal function. */
  tap(tap: Tap): () => void {
    this.taps.push(tap);
    return () => {
      this.taps = this.taps.filter((t) => t !== tap);
    };
  }

  publish<T extends Topic>(topic: T, msg: TopicPayload<T>): void {
    this.published++;
    const taps = this.taps;
    for (let i = 0; i < taps.length; i++) taps[i]!(topic, msg);
    const list = this.handlers.get(topic);
    if (list === undefined) return;
    for (let i = 0; i < list.length; i++) (list[i] as Handler<T>)(msg);
  }

  /** Messages published so far: readers caching a view of the engine's state key it on this. */
  get publishedCount(): number {
    return this.published;
  }

  hasSubscribers(topic: Topic): boolean {
    return (this.handlers.get(topic)?.length ?? 0) > 0 || this.taps.length > 0;
  }
}
