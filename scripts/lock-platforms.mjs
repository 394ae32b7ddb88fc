// Completes package-lock.json with entries for the other platforms' optional native packages that
// this build machine's registry does not serve, so that `npm ci` accepts the lock everywhere. On a
// matching platform npm fetches such a package by name and version. Run after `npm install`.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const OS = ['darwin', 'linux', 'win32', 'android', 'freebsd'];
const CPU = { x64: 'x64', arm64: 'arm64', ia32: 'ia32', arm: 'arm', ppc64: 'ppc64', s390x: 's390x', riscv64: 'riscv64' };
let added = 0;
for (const [path, pkg] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(pkg.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    if (lock.packages[key]) continue;
    const parts = name.split('/').pop().split('-');
    const os = OS.find((o) => parts.includes(o));
    const cpu = Object.keys(CPU).find((c) => parts.includes(c));
    if (!os || !cpu) throw new Error(`cannot tell the platform of ${name} (needed by ${path})`);
    const entry = { version, optional: true, os: [os], cpu: [CPU[cpu]] };
    if (parts.includes('musl')) entry.libc = ['musl'];
    else if (parts.includes('gnu') || parts.includes('gnueabihf')) entry.libc = ['glibc'];
    lock.packages[key] = entry;
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`lock-platforms: added ${added} entries`);
