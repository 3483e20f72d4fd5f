import crypto from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Server as TusServer } from '@tus/server';
import type { FileStore } from '@tus/file-store';
import { mount, requireUser } from '../../http/route.ts';
import { AppError, badRequest } from '../../http/errors.ts';
import type { SessionUser } from '../identity/identity.service.ts';
import type { VideosService, UploadMeta } from './videos.service.ts';

/** The signed-in user of each raw request, for the tus hooks (which see a web Request wrapping it). */
const uploaders = new WeakMap<IncomingMessage, SessionUser>();
const uploaderOf = (req: unknown) => {
  const raw = (req as { runtime?: { node?: { req?: IncomingMessage } } }).runtime?.node?.req;
  return raw ? uploaders.get(raw) : undefined;
};
const tusError = (status: number, code: string, message: string) => ({ status_code: status, body: JSON.stringify({ error: { code, message } }) });

export async function registerVideoRoutes(
  app: FastifyInstance,
  deps: { videos: VideosService; uploads: FileStore; uploadDir: string; maxUploadBytes: number },
) {
  const { videos, uploads: datastore, uploadDir, maxUploadBytes } = deps;
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
        } else if (part.fieldname === 'caption' || part.fieldname === 'visibility' || part.fieldname === 'sound') {
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
   * arrives the file goes through the same ingest as a multipart upload. Only the uploader can
   * see or continue an upload.
   */
  const tus = new TusServer({
    path: '/api/uploads',
    datastore,
    maxSize: maxUploadBytes,
    respectForwardedHeaders: false,
    namingFunction: () => crypto.randomUUID(),
    async onUploadCreate(req, upload) {
      const user = uploaderOf(req);
      if (!user) throw tusError(401, 'unauthorized', 'sign in first');
      try {
        videos.parseMeta({
          caption: upload.metadata?.caption ?? undefined,
          visibility: upload.metadata?.visibility ?? undefined,
          sound: upload.metadata?.sound ?? undefined,
        });
      } catch (err) {
        const e = err as AppError;
        throw tusError(e.status, e.code, e.message);
      }
      return { metadata: { ...upload.metadata, owner: user.id } };
    },
    async onIncomingRequest(req, uploadId) {
      if (req.method === 'POST' || req.method === 'OPTIONS') return;
      const upload = await datastore.getUpload(uploadId).catch(() => undefined);
      if (upload && upload.metadata?.owner !== uploaderOf(req)?.id) throw tusError(404, 'not_found', 'upload not found');
    },
    async onUploadFinish(req, upload) {
      const user = uploaderOf(req);
      if (!user || user.id !== upload.metadata?.owner) throw tusError(401, 'unauthorized', 'sign in first');
      const file = path.join(uploadDir, upload.id);
      try {
        const accepted = await videos.ingestFile(user, file, {
          caption: upload.metadata?.caption ?? undefined,
          visibility: upload.metadata?.visibility ?? undefined,
          sound: upload.metadata?.sound ?? undefined,
        });
        return { headers: { 'Flick-Video-Id': accepted.id, 'Access-Control-Expose-Headers': 'Flick-Video-Id' } };
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        throw tusError(err.status, err.code, err.message);
      } finally {
        await fsp.rm(`${file}.json`, { force: true });
        await fsp.rm(file, { force: true });
      }
    },
  });

  app.register(async (scope) => {
    // tus sends raw bytes; leave the body stream for the tus handler to read.
    scope.addContentTypeParser('application/offset+octet-stream', (_req, _payload, done) => done(null));
    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (req.user) uploaders.set(req.raw, req.user);
      reply.hijack();
      await tus.handle(req.raw, reply.raw);
    };
    scope.route({ method: ['POST', 'HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads', schema: { hide: true }, preHandler: requireUser, handler });
    scope.route({ method: ['HEAD', 'PATCH', 'DELETE', 'OPTIONS'], url: '/api/uploads/:id', schema: { hide: true }, preHandler: requireUser, handler });
  });
}
