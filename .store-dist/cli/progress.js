// A progress bar for long work (snapshot, restore, fsck --read-data): bytes/s and an ETA on stderr when
// it is a TTY and neither --quiet nor --json was given; otherwise a no-op, so commands call it blindly.
import cliProgress from 'cli-progress';
import { colourAllowed } from "./output.js";
import { formatBytes, formatDuration } from "./format.js";
const SILENT = { active: false, update() { }, stop() { } };
export function createProgress(label, opts) {
    const stream = opts.stream ?? process.stderr;
    if (opts.json || opts.quiet || stream.isTTY !== true)
        return SILENT;
    const colour = colourAllowed(stream, opts.env);
    const started = Date.now();
    let last = { bytes: 0 };
    const amount = opts.unit === 'objects' ? (n) => String(Math.round(n)) : formatBytes;
    const per = opts.unit === 'objects' ? ' objects/s' : '/s';
    const bar = new cliProgress.SingleBar({
        stream,
        fps: 5,
        barsize: 25,
        hideCursor: true,
        clearOnComplete: true,
        etaBuffer: 50,
        barCompleteChar: colour ? '\u2588' : '#',
        barIncompleteChar: colour ? '\u2591' : '-',
        format: (options, params) => {
            const elapsed = Math.max(1, Date.now() - started);
            const rate = (last.bytes * 1000) / elapsed;
            const known = last.totalBytes !== undefined && last.totalBytes > 0;
            const files = last.files === undefined ? '' : `  ${last.files}${last.totalFiles === undefined ? '' : `/${last.totalFiles}`} files`;
            const size = known ? `${amount(last.bytes)}/${amount(last.totalBytes)}` : amount(last.bytes);
            const eta = known && rate > 0 ? `ETA ${formatDuration(Math.max(0, ((last.totalBytes - last.bytes) / rate) * 1000))}` : 'ETA --';
            const barText = known ? `[${cliProgress.Format.BarFormat(params.progress, options)}] ${Math.floor(params.progress * 100)}%  ` : '';
            return `${label} ${barText}${size}  ${amount(rate)}${per}  ${eta}${files}`;
        },
    });
    bar.start(1, 0);
    return {
        active: true,
        update(p) {
            last = p;
            const total = Math.max(1, p.totalBytes ?? p.bytes);
            bar.setTotal(total);
            bar.update(Math.min(p.bytes, total));
        },
        stop() {
            bar.stop();
        },
    };
}
