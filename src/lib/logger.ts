/** What the background parts (the push sender, the task worker, the scheduler, the Redis bus) log through: pino's warn and error, narrowed. */
export interface Logger {
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
