/** Where a file on this machine comes from: its Debian package, the package's version, its hash. */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';

export interface FileProvenance {
  path: string;
  /** The file a symlink resolves to, when it differs from path. */
  realPath?: string;
  package: string;
  packageVersion: string;
  sha256: string;
}

export const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');

/** Package owning `path` (`dpkg -S`, architecture qualifier removed) and its installed version. */
export function provenance(path: string): FileProvenance {
  const real = realpathSync(path);
  const owner = execFileSync('dpkg', ['-S', path], { encoding: 'utf8' }).split('\n')[0];
  const pkg = owner.slice(0, owner.indexOf(': ')).split(':')[0]; // "libpython3.11-stdlib:amd64: /usr/..."
  const version = execFileSync('dpkg-query', ['-W', '-f', '${Version}', pkg], { encoding: 'utf8' }).trim();
  return { path, ...(real !== path ? { realPath: real } : {}), package: pkg, packageVersion: version, sha256: sha256(readFileSync(real)) };
}
