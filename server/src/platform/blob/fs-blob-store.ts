import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { assertSafeKey, type BlobStore } from './blob.ts';

/** Local-disk blob store; files are served by the HTTP layer under `urlPrefix`. */
export function createFsBlobStore(root: string, urlPrefix = '/media/'): BlobStore & { root: string } {
  const abs = (key: string) => path.join(root, assertSafeKey(key));
  return {
    root,
    async putFile(key, localPath) {
      const dest = abs(key);
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      const st = await fsp.stat(localPath);
      if (st.isDirectory()) await fsp.cp(localPath, dest, { recursive: true });
      else await fsp.copyFile(localPath, dest);
    },
    async putBuffer(key, data) {
      const dest = abs(key);
      await fsp.mkdir(path.dirname(dest), { recursive: true });
      // Write then rename so a reader never sees half a file (playlists are rewritten while playing).
      const tmp = `${dest}.${process.pid}.${Date.now()}.tmp`;
      await fsp.writeFile(tmp, data);
      await fsp.rename(tmp, dest);
    },
    read: (key) => fsp.readFile(abs(key)),
    stream: (key) => fs.createReadStream(abs(key)),
    async exists(key) {
      try {
        await fsp.access(abs(key));
        return true;
      } catch {
        return false;
      }
    },
    async deletePrefix(prefix) {
      await fsp.rm(abs(prefix.replace(/\/$/, '')), { recursive: true, force: true });
    },
    async delete(key) {
      await fsp.rm(abs(key), { force: true });
    },
    withLocalFile: (key, fn) => fn(abs(key)),
    url: (key) => urlPrefix + assertSafeKey(key),
  };
}
