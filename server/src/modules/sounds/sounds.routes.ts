import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import type { SoundsService } from './sounds.service.ts';

export function registerSoundRoutes(app: FastifyInstance, deps: { sounds: SoundsService; uploadDir: string; maxUploadBytes: number }) {
  const { sounds, uploadDir } = deps;
  mount(app, 'sounds', async (req) => sounds.list(req.query));
  mount(app, 'sound', async (req) => sounds.page(req.params.id, req.user));
  mount(app, 'updateSound', async (req) => sounds.update(req.params.id, req.user, req.body));
  mount(app, 'soundSettings', async (req) => sounds.settings(req.user));
  mount(app, 'updateSoundSettings', async (req) => sounds.updateSettings(req.user, req.body));
  /** Multipart like video uploads: the file streams to disk under a name we choose. */
  mount(app, 'uploadSound', async (req) => {
    if (!req.raw.isMultipart()) throw badRequest('multipart_required', 'send the audio as multipart/form-data in the field "file"');
    const meta: { title?: string; listed?: boolean } = {};
    let tmp: string | undefined;
    try {
      for await (const part of req.raw.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || tmp) {
            part.file.resume();
            throw badRequest('unexpected_file', 'send exactly one file, in the field "file"');
          }
          tmp = path.join(uploadDir, `snd-${crypto.randomUUID()}`);
          await pipeline(part.file, fs.createWriteStream(tmp));
          if (part.file.truncated) throw new AppError(413, 'payload_too_large', `the file is larger than ${Math.round(deps.maxUploadBytes / 1048576)} MB`);
        } else if (part.fieldname === 'title') meta.title = String(part.value);
        else if (part.fieldname === 'listed') meta.listed = String(part.value) !== 'false';
      }
      if (!tmp) throw badRequest('file_required', 'file: the form has no "file" field');
      const file = tmp;
      tmp = undefined;
      return await sounds.upload(req.user, file, meta);
    } finally {
      if (tmp) await fsp.rm(tmp, { force: true });
    }
  });
}
