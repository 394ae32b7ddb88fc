// The daemon's log: one structured line per event on stderr (time, level, message, key=value fields).
// Daemon layer; no logging package is installed, and a line per event is all a daemon under systemd needs.
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;
export type DaemonLog = (level: LogLevel, message: string, fields?: LogFields) => void;

/** Writes `2026-11-21T19:20:00.000Z info message key=value ...` lines; values with spaces are JSON-quoted. */
export function stderrLog(options: { debug?: boolean; write?: (line: string) => void } = {}): DaemonLog {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  return (level, message, fields = {}) => {
    if (level === 'debug' && options.debug !== true) return;
    const parts = [new Date().toISOString(), level, message];
    for (const [key, value] of Object.entries(fields)) {
      if (value === undefined) continue;
      const text = String(value);
      parts.push(`${key}=${/^[\w./:@+-]*$/.test(text) && text !== '' ? text : JSON.stringify(text)}`);
    }
    write(`${parts.join(' ')}\n`);
  };
}

/** The one-line reason of an error for a log field: its code and message, then those of its causes. */
export function errorField(e: unknown): string {
  const parts: string[] = [];
  for (let c: unknown = e, depth = 0; c !== undefined && c !== null && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    if (!(c instanceof Error)) {
      parts.push(String(c));
      break;
    }
    const code = (c as { code?: unknown }).code;
    parts.push(typeof code === 'string' ? `${code}: ${c.message}` : c.message);
  }
  return parts.join(' <- ');
}
