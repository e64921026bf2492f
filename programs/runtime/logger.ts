import { type DestinationStream, type Logger, pino } from 'pino';

/**
 * Structured JSON logs on stdout, one line per event, as cluster log pipelines expect. Tests pass a
 * `destination` to read the lines a program wrote.
 */
export function createLogger(component: string, level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options = { name: component, level, base: { component }, timestamp: pino.stdTimeFunctions.isoTime };
  return destination ? pino(options, destination) : pino(options);
}

export type { Logger };
