// What a command prints: human lines or one JSON document on stdout, notes on stderr. Colour only on a
// TTY and never when NO_COLOR is set; --quiet silences notes, never results or errors.
import { once } from 'node:events';
const SGR = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] };
export function colourAllowed(stream, env) {
    return stream.isTTY === true && (env.NO_COLOR === undefined || env.NO_COLOR === '') && env.TERM !== 'dumb';
}
export class Output {
    json;
    quiet;
    stdout;
    stderr;
    colourOut;
    jsonWritten = false;
    constructor(opts, stdout = process.stdout, stderr = process.stderr) {
        this.json = opts.json;
        this.quiet = opts.quiet;
        this.stdout = stdout;
        this.stderr = stderr;
        this.colourOut = colourAllowed(stdout, opts.env);
    }
    /** A result line on stdout (human mode only; JSON mode prints one document through `result`). */
    line(text = '') {
        if (!this.json)
            this.stdout.write(`${text}\n`);
    }
    /** A note for the person at the terminal (stderr); silent with --quiet. */
    note(text) {
        if (!this.quiet)
            this.stderr.write(`${text}\n`);
    }
    /** A warning on stderr, printed even with --quiet or --json (problems must not vanish). */
    warn(text) {
        this.stderr.write(`${text}\n`);
    }
    /** The one JSON document of a command run with --json. */
    result(doc) {
        if (!this.json || this.jsonWritten)
            return;
        this.jsonWritten = true;
        this.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    }
    paint(colour, text) {
        if (!this.colourOut)
            return text;
        const [on, off] = SGR[colour];
        return `\u001b[${on}m${text}\u001b[${off}m`;
    }
    /** Writes raw bytes to stdout, honouring backpressure (cat). */
    async bytes(chunk) {
        if (!this.stdout.write(chunk))
            await once(this.stdout, 'drain');
    }
}
