import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { FastifyInstance } from 'fastify';
import { Server as TusServer } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { mount, requireUser } from '../../http/route.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosService, UploadMeta } from './videos.service.ts';

const USER_HEADER = 'x-flick-upload-user';

export async function registerVideoRoutes(app: FastifyInstance, deps: { videos: VideosService; uploadDir: string; maxUploadBytes: number }) {
  const { videos, uploadDir, maxUploadBytes } = deps;
  await fsp.mkdir(uploadDir, { recursive: true });

  /** Multipart upload (the contract's form). The file streams to disk, never into memory. */
  mount(app, 'uploadVideo', async (req, reply) => {
    if (!req.raw.isMultipart()) throw badRequest('multipart_required', 'send the video as multipart/form-data in the field "file"');
    const meta: UploadMeta = {};
    let tmp: string | undefined;
    try {
      for await (const part of req.raw.parts()) {
        if (part.type === 'file') {
          if (part.fieldname !== 'file' || tmp) {
            part.file.resume();
            throw badRequest('unexpected_file', 'send exactly one file, in the field "file"');
          }
          // The client's file name never reaches the file system.
          tmp = path.join(uploadDir, `mp-${crypto.randomUUID()}`);
          await pipeline(part.file, fs.createWriteStream(tmp));
          if (part.file.truncated) throw new AppError(413, 'payload_too_large', `the file is larger than ${Math.round(maxUploadBytes / 1048576)} MB`);
        } else if (part.fieldname === 'caption' || part.fieldname === 'visibility') {
          meta[part.fieldname] = String(part.value);
        }
      }
      if (!tmp) throw badRequest('file_required', 'the form has no "file" field');
      const file = tmp;
      tmp = undefined; // ingestFile owns it now
      const accepted = await videos.ingestFile(req.user, file, meta);
      reply.header('location', `/api/videos/${accepted.id}`);
      return accepted;
    } finally {
      if (tmp) await fsp.rm(tmp, { force: true });
    }
  });

  mount(app, 'video', async (req) => videos.get(req.params.id, req.user));
  mount(app, 'updateVideo', async (req) => videos.update(req.params.id, req.user, req.body));
  mount(app, 'deleteVideo', async (req) => {
    await videos.remove(req.params.id, req.user);
    return { ok: true as const };
  });
  mount(app, 'retryVideo', async (req) => videos.retry(req.params.id, req.user));

  /**
   * Resumable uploads (tus 1.0) at /api/uploads. Chunks land in `uploadDir`; when the last byte
   * arrives the file goes through the same ingest as a multipart upload. The signed-in user is
   * passed to tus hooks in a request header that we set (and strip from clients) here.
   */
  const datastore = new FileStore({ directory: uploadDir, expirationPeriodInMilliseconds: 24 * 3600 * 1000 });
  const tus = new TusServer({
    path: '/api/uploads',
    datastore,
    maxSize: maxUploadBytes,
    respectForwardedHeaders: false,
    namingFunction: () => crypto.randomUUID(),
    async onUploadCreate(req, upload) {
      const userId = req.headers.get(USER_HEADER);
      if (!userId) throw { status_code: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'sign in first' } }) };
      try {
        videos.parseMeta({ caption: upload.metadata?.caption ?? undefined, visibility: upload.metadata?.visibility ?? undefined });
      } catch (err) {
        const e = err as AppError;
        throw { status_code: e.status ?? 400, body: JSON.stringify({ error: { code: e.code, message: e.message } }) };
      }
      return { metadata: { ...upload.metadata, owner: userId } };
    },
    async onIncomingRequest(req, uploadId) {
      if (req.method === 'POST' || req.method === 'OPTIONS') return;
      const upload = await datastore.getUpload(uploadId).catch(() => undefined);
      if (upload && upload.metadata?.owner !== req.headers.get(USER_HEADER)) {
        throw { status_code: 404, body: JSON.stringify({ error: { code: 'not_found', message: 'upload not found' } }) };
      }
    },
    async onUploadFinish(req, upload) {
      const user = JSON.parse(req.headers.get(`${USER_HEADER}-json`) ?? 'null') as SessionUser | null;
      if (!user || user.id !== upload.metadata?.owner) throw { status_code: 401, body: JSON.stringify({ error: { code: 'unauthorized', message: 'sign in first' } }) };
      const file = path.join(uploadDir, upload.id);
      try {
        const accepted = await videos.ingestFile(user, file, { caption: upload.metadata?.caption ?? undefined, visibility: upload.metadata?.visibility ?? undefined });
        return { headers: { 'Flick-Video-Id': accepted.id, 'Access-Control-Expose-Headers': 'Flick-Video-Id' } };
      } catch (err) {
        const e = err as AppError;
        if (!(err instanceof AppError)) throw err;
        throw { status_code: e.status, body: JSON.stringify({ error: { code: e.code, message: e.message } }) };
      } finally {
        await fsp.rm(`${file}.json`, { force: true });
        await fsp.rm(file, { force: true });
      }
    },
  });

  app.register(async (scope) => {
    // tus sends raw bytes; leave the body stream for the tus handler to read.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    const handler = async (req: Parameters<typeof requireUser>[0], reply: { hijack(): void; raw: import('node:http').ServerResponse }) => {
      delete req.raw.headers[USER_HEADER];
      delete req.raw.headers[`${USER_HEADER}-json`];
      if (req.user) {
        req.raw.headers[USER_HEADER] = req.user.id;
        req.raw.headers[`${USER_HEADER}-json`] = JSON.stringify(req.user);
      }
      reply.hijack();
      await tus.handle(req.raw, reply.raw);
    };
    scope.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads', schema: { hide: true }, preHandler: requireUser, handler });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads/:id', schema: { hide: true }, preHandler: requireUser, handler });
  });

  return { cleanupExpiredUploads: () => datastore.deleteExpired() };
}
