import type { PerImageRead } from '@signet/policy';
import { WebhookError } from '../errors.js';

/** Reads several images of one scope (a note or a project) in one go, one answer per image. */
export type ReadImages<V> = (
  scope: string,
  resourceUrls: readonly string[],
  signal: AbortSignal,
) => Promise<ReadonlyMap<string, PerImageRead<V>>>;

interface Waiter<V> {
  resolve: (value: V) => void;
  reject: (error: unknown) => void;
}

interface Batch<V> {
  waiters: Map<string, Waiter<V>[]>;
  signals: AbortSignal[];
}

/**
 * Gathers the lookups of one scope asked during one turn of the event loop (a review asks for all its
 * images before any answer comes back) and reads them with one call of `read`; each lookup then settles
 * with its own image's answer or failure. A call that fails fails the images it covered, no others.
 */
export class LookupBatcher<V> {
  private batches = new Map<string, Batch<V>>();
  private scheduled = false;

  constructor(private readonly read: ReadImages<V>) {}

  load(scope: string, resourceUrl: string, signal: AbortSignal): Promise<V> {
    return new Promise<V>((resolve, reject) => {
      let batch = this.batches.get(scope);
      if (!batch) {
        batch = { waiters: new Map(), signals: [] };
        this.batches.set(scope, batch);
      }
      const waiters = batch.waiters.get(resourceUrl) ?? [];
      waiters.push({ resolve, reject });
      batch.waiters.set(resourceUrl, waiters);
      batch.signals.push(signal);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    // After the promise jobs of this turn: every lookup a review starts together joins the batch.
    setImmediate(() => {
      this.scheduled = false;
      const batches = this.batches;
      this.batches = new Map();
      for (const [scope, batch] of batches) void this.send(scope, batch);
    });
  }

  private async send(scope: string, batch: Batch<V>): Promise<void> {
    // Each load's signal is the cache's timeout for it, all started in this turn: the first to end ends the call.
    const signal = batch.signals.length === 1 ? batch.signals[0]! : AbortSignal.any(batch.signals);
    let answers: ReadonlyMap<string, PerImageRead<V>>;
    try {
      answers = await this.read(scope, [...batch.waiters.keys()], signal);
    } catch (error) {
      for (const waiters of batch.waiters.values()) for (const w of waiters) w.reject(error);
      return;
    }
    for (const [url, waiters] of batch.waiters) {
      const answer = answers.get(url);
      for (const w of waiters) {
        if (answer?.ok) w.resolve(answer.value);
        else
          w.reject(
            answer
              ? answer.error
              : new WebhookError(
                  'IMAGE_NOT_READ',
                  `the metadata read of ${scope} answered nothing for ${url}`,
                  'report this as a bug: the image was asked for and left out',
                ),
          );
      }
    }
  }
}
