import { pino, type Logger } from 'pino';

/** Structured JSON logs on stdout, one line per event, as cluster log pipelines expect. */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ name: component, level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime });
}

export type { Logger };
