/**
 * The server -> client frame types under their historical names; they are defined once, as
 * schemas, in frames.ts. Services publish frames through the hub; only the hub touches sockets.
 */
export type {
  ChangeAction,
  EventSink,
  ModuleName,
  ServerEventType,
  ServerEvents,
  ServerFrame,
} from './frames.js';
