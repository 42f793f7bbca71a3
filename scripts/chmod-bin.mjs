// Runs after `npm run build` (the "postbuild" script): tsc writes files without the execute
// bit, and `npx sparse-inference` inside this repository runs the bin file directly, so mark
// every package.json "bin" target executable. (Installs from the registry get this from npm.)
import { chmod, readFile } from 'node:fs/promises';

const pkg = JSON.parse(await readFile('package.json', 'utf8'));
const bins = typeof pkg.bin === 'string' ? [pkg.bin] : Object.values(pkg.bin ?? {});
for (const path of bins) {
  await chmod(path, 0o755);
  console.log(`bin: chmod 755 ${path}`);
}
