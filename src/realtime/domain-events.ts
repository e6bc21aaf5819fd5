/**
 * Domain events: what one part of the server tells another (an item changed, the settings
 * changed), typed, in process, and never sent to clients. With REDIS_URL they also reach the
 * other instances (redis-bus.ts), so a job on the instance holding the scheduler lock hears of
 * an event created elsewhere. Client frames go through the hub (hub.ts), not through here.
 */
import type { Settings } from '../modules/settings/settings.service.js';
import type { ChangeAction, ModuleName } from './frames.js';

export type DomainEvent =
  /** A todo, event, memo or agent task was written; held by a chat turn until the turn ends. */
  | { type: 'item_changed'; data: { module: ModuleName; action: ChangeAction; id: string } }
  /** The owner's settings changed (timezone, briefing time). */
  | { type: 'settings_changed'; data: Settings };

export type DomainListener = (event: DomainEvent) => void;

/** How domain events cross to other instances (the Redis bus); absent with one instance. */
export interface DomainRemote {
  send(event: DomainEvent): void;
  onReceive(listener: DomainListener): void;
}

export interface DomainEvents {
  /** Delivers to this instance's listeners, then to the other instances'. */
  emit(event: DomainEvent): void;
  /** Listens to every domain event of every instance; returns the unsubscribe function. */
  subscribe(listener: DomainListener): () => void;
}

export function createDomainEvents(
  opts: { remote?: DomainRemote; log?: { error(obj: object, msg?: string): void } } = {},
): DomainEvents {
  const listeners = new Set<DomainListener>();
  const deliver = (event: DomainEvent) => {
    for (const listener of listeners) {
      try {
        listener(event);
      } catch (err) {
        // One broken listener must not keep the event from the others.
        opts.log?.error({ err, event: event.type }, 'domain event listener failed');
      }
    }
  };
  opts.remote?.onReceive(deliver);
  return {
    emit(event) {
      deliver(event);
      opts.remote?.send(event);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
