// Creation studio: edit descriptions (EDL), renders, sounds, duet/stitch, templates (issue 5). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { z } from 'zod';
import { route } from './route-def.ts';
import { Caption, Ok, Visibility } from './schemas.ts';

/** The newest EDL version this build understands; an EDL from a newer client is refused with a clear message. */
export const EDL_VERSION = 1;
/** Output is at most 10 minutes. */
export const EDL_MAX_MS = 10 * 60 * 1000;
export const STITCH_MAX_MS = 5000;
export const FONTS = ['sans', 'sans-bold', 'serif', 'mono'] as const;
export const COLOR_PRESETS = ['none', 'vivid', 'mono', 'warm', 'cool', 'fade'] as const;

const ms = (what: string) =>
  z
    .number({ error: `${what} must be a number of milliseconds` })
    .int(`${what} must be whole milliseconds`)
    .min(0, `${what} cannot be negative`);

/** Where a clip's pictures come from: a video on Flick (own, or public with remixing allowed) or a template's placeholder. */
export const ClipSource = z.union([z.object({ videoId: z.string().uuid('not a video id') }).strict(), z.object({ slot: z.string().min(1).max(32) }).strict()]);

export const Transition = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('cut') }).strict(),
  z
    .object({
      kind: z.literal('crossfade'),
      durationMs: z.number().int().min(100, 'a crossfade lasts at least 100 ms').max(2000, 'a crossfade lasts at most 2000 ms'),
    })
    .strict(),
]);

export const EdlClip = z
  .object({
    source: ClipSource,
    inMs: ms('inMs'),
    outMs: ms('outMs'),
    speed: z.number().min(0.5, 'speed is at least 0.5').max(3, 'speed is at most 3').default(1),
    /** How this clip begins after the previous one on its track (ignored for the first). */
    transition: Transition.default({ kind: 'cut' }),
    /** The clip's own audio level (0 mutes it). */
    volume: z.number().min(0).max(2).default(1),
  })
  .strict()
  .superRefine((c, ctx) => {
    if (c.outMs <= c.inMs) ctx.addIssue({ code: 'custom', path: ['outMs'], message: 'outMs must be after inMs' });
    else if (c.outMs - c.inMs < 100) ctx.addIssue({ code: 'custom', path: ['outMs'], message: 'a clip lasts at least 100 ms' });
  });

export const EdlTrack = z.object({ clips: z.array(EdlClip).min(1, 'a track needs at least one clip').max(50, 'at most 50 clips per track') }).strict();

const Colour = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'colour must be #rrggbb');

export const EdlText = z
  .object({
    content: z.string().trim().min(1, 'text cannot be empty').max(200),
    font: z.enum(FONTS, { error: `font must be one of ${FONTS.join(', ')}` }).default('sans-bold'),
    /** Pixels on a 1080-wide frame (scaled with the output). */
    size: z.number().int().min(12).max(240).default(64),
    color: Colour.default('#ffffff'),
    /** Centre of the text as fractions of the frame. */
    x: z.number().min(0).max(1).default(0.5),
    y: z.number().min(0).max(1).default(0.5),
    box: z.boolean().default(false),
    startMs: ms('startMs'),
    endMs: ms('endMs'),
  })
  .strict()
  .refine((t) => t.endMs > t.startMs, { message: 'endMs must be after startMs', path: ['endMs'] });

export const EdlAudio = z
  .object({
    soundId: z.string().uuid('not a sound id'),
    /** Where on the timeline it starts, and where in the sound. */
    atMs: ms('atMs').default(0),
    offsetMs: ms('offsetMs').default(0),
    /** Until the end of the sound or the timeline when absent. */
    durationMs: ms('durationMs').optional(),
    volume: z.number().min(0).max(2).default(1),
    fadeInMs: ms('fadeInMs').max(10_000).default(0),
    fadeOutMs: ms('fadeOutMs').max(10_000).default(0),
  })
  .strict();

export const EdlLayout = z.enum(['single', 'duet-side', 'duet-top']);

export const Edl = z
  .object({
    version: z.number().int().min(1).max(EDL_VERSION, `this EDL is from a newer version of Flick (we understand version ${EDL_VERSION}); update the app`),
    output: z
      .object({
        /** Portrait only: 1080×1920 (default) or 720×1280. */
        size: z.enum(['1080x1920', '720x1280']).default('1080x1920'),
        fit: z.enum(['crop', 'letterbox']).default('crop'),
      })
      .strict()
      .default({ size: '1080x1920', fit: 'crop' }),
    /** `single`: one track. Duets: two tracks side by side (or stacked), audio mixed. */
    layout: EdlLayout.default('single'),
    tracks: z.array(EdlTrack).min(1, 'at least one track').max(2, 'at most 2 video tracks'),
    text: z.array(EdlText).max(20, 'at most 20 text overlays').default([]),
    color: z.enum(COLOR_PRESETS).default('none'),
    /** Level of the clips' own audio (the original track) under the sounds. */
    originalVolume: z.number().min(0).max(2).default(1),
    /** Sounds from the library, a voice-over (an uploaded sound) … */
    audio: z.array(EdlAudio).max(4, 'at most 4 sounds').default([]),
  })
  .strict()
  .superRefine((e, ctx) => {
    const want = e.layout === 'single' ? 1 : 2;
    if (e.tracks.length !== want) ctx.addIssue({ code: 'custom', path: ['tracks'], message: `layout ${e.layout} takes ${want} track${want > 1 ? 's' : ''}` });
  });
export type Edl = z.output<typeof Edl>;
export type EdlInput = z.input<typeof Edl>;
export type EdlClip = z.output<typeof EdlClip>;

export const RemixPermissions = z.object({ duet: z.boolean(), stitch: z.boolean(), remix: z.boolean(), download: z.boolean() }).strict();
export type RemixPermissions = z.infer<typeof RemixPermissions>;

export const RemixKind = z.enum(['edit', 'duet', 'stitch', 'template']);

export const RenderBody = z
  .object({
    edl: z.unknown(),
    kind: RemixKind.default('edit'),
    caption: Caption.default(''),
    visibility: Visibility.default('public'),
    permissions: RemixPermissions.partial().default({}),
    /** Filling a template's slots: slot name → video id. */
    templateId: z.string().uuid().optional(),
    slots: z.record(z.string(), z.string().uuid()).optional(),
    draftId: z.string().uuid().optional(),
  })
  .strict();

export const RenderStatus = z.enum(['queued', 'rendering', 'publishing', 'done', 'failed', 'cancelled']);
export const Render = z.object({
  id: z.string(),
  status: RenderStatus,
  progress: z.number().int(),
  error: z.string().nullable(),
  kind: RemixKind,
  videoId: z.string().nullable(),
  attempts: z.number().int(),
  durationMs: z.number().int(),
  createdAt: z.string(),
});
export type Render = z.infer<typeof Render>;

export const LineageItem = z.object({
  videoId: z.string(),
  kind: RemixKind,
  username: z.string(),
  /** "Duet with @ana", "Stitched from @ben", "Remix of @cy". */
  label: z.string(),
  posterUrl: z.string().nullable(),
  available: z.boolean(),
});
export const Lineage = z.object({ sources: z.array(LineageItem), remixes: z.array(LineageItem), permissions: RemixPermissions });
export type Lineage = z.infer<typeof Lineage>;

export const Draft = z.object({ id: z.string(), title: z.string(), edl: z.unknown(), updatedAt: z.string() });
export const DraftBody = z.object({ title: z.string().trim().max(100).default(''), edl: z.unknown() }).strict();
export const DraftList = z.object({ items: z.array(Draft) });

export const Sound = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.object({ id: z.string(), username: z.string() }),
  audioUrl: z.string(),
  durationMs: z.number().int(),
  originalVideoId: z.string().nullable(),
  useCount: z.number().int(),
  enabled: z.boolean(),
  createdAt: z.string(),
});
export type Sound = z.infer<typeof Sound>;
export const SoundPage = z.object({
  sound: Sound,
  /** The original first, then the newest. */
  videos: z.array(z.object({ id: z.string(), username: z.string(), posterUrl: z.string().nullable(), original: z.boolean() })),
});
export type SoundPage = z.infer<typeof SoundPage>;
export const SoundList = z.object({ items: z.array(Sound) });
export const SoundQuery = z.object({ q: z.string().trim().max(100).optional(), sort: z.enum(['trending', 'new']).default('trending') });
export const SoundUpdate = z.object({ enabled: z.boolean().optional(), title: z.string().trim().min(1).max(100).optional() }).strict();

export const Template = z.object({
  id: z.string(),
  title: z.string(),
  owner: z.object({ id: z.string(), username: z.string() }),
  slots: z.array(z.object({ name: z.string(), durationMs: z.number().int() })),
  edl: z.unknown(),
  useCount: z.number().int(),
  createdAt: z.string(),
});
export type Template = z.infer<typeof Template>;
export const TemplateBody = z.object({ title: z.string().trim().min(1).max(100), edl: z.unknown() }).strict();
export const TemplateList = z.object({ items: z.array(Template) });

/** "Don't turn my uploads' audio into sounds": the account default (each upload may choose otherwise). */
export const SoundSettings = z.object({ fromUploads: z.boolean() }).strict();
export type SoundSettings = z.infer<typeof SoundSettings>;

const Id = z.object({ id: z.string().uuid('not an id') });

export const studioRoutes = {
  createRender: route({
    method: 'POST',
    path: '/api/studio/renders',
    summary: 'Render an EDL into a new video (queued; poll the render)',
    tags: ['studio'],
    auth: true,
    body: RenderBody,
    response: Render,
    status: 202,
  }),
  render: route({
    method: 'GET',
    path: '/api/studio/renders/:id',
    summary: 'A render and its progress',
    tags: ['studio'],
    auth: true,
    params: Id,
    response: Render,
  }),
  cancelRender: route({
    method: 'POST',
    path: '/api/studio/renders/:id/cancel',
    summary: 'Cancel a render',
    tags: ['studio'],
    auth: true,
    params: Id,
    response: Render,
  }),
  retryRender: route({
    method: 'POST',
    path: '/api/studio/renders/:id/retry',
    summary: 'Retry a failed or cancelled render',
    tags: ['studio'],
    auth: true,
    params: Id,
    response: Render,
  }),
  lineage: route({
    method: 'GET',
    path: '/api/videos/:id/lineage',
    summary: 'Where a video came from, what was made from it, and what it allows',
    tags: ['studio'],
    auth: false,
    params: Id,
    response: Lineage,
  }),
  setRemixPermissions: route({
    method: 'PUT',
    path: '/api/videos/:id/permissions',
    summary: 'Allow or forbid duet, stitch, remix and download of my video',
    tags: ['studio'],
    auth: true,
    params: Id,
    body: RemixPermissions.partial().strict(),
    response: RemixPermissions,
  }),
  drafts: route({ method: 'GET', path: '/api/studio/drafts', summary: 'My drafts', tags: ['studio'], auth: true, response: DraftList }),
  createDraft: route({
    method: 'POST',
    path: '/api/studio/drafts',
    summary: 'Save a draft',
    tags: ['studio'],
    auth: true,
    body: DraftBody,
    response: Draft,
    status: 201,
  }),
  updateDraft: route({
    method: 'PUT',
    path: '/api/studio/drafts/:id',
    summary: 'Update a draft',
    tags: ['studio'],
    auth: true,
    params: Id,
    body: DraftBody,
    response: Draft,
  }),
  deleteDraft: route({ method: 'DELETE', path: '/api/studio/drafts/:id', summary: 'Delete a draft', tags: ['studio'], auth: true, params: Id, response: Ok }),
  sounds: route({
    method: 'GET',
    path: '/api/sounds',
    summary: 'Sound library: search and trending',
    tags: ['sounds'],
    auth: false,
    query: SoundQuery,
    response: SoundList,
  }),
  sound: route({
    method: 'GET',
    path: '/api/sounds/:id',
    summary: 'A sound page: the sound and the videos that use it',
    tags: ['sounds'],
    auth: false,
    params: Id,
    response: SoundPage,
  }),
  uploadSound: route({
    method: 'POST',
    path: '/api/sounds',
    summary: 'Upload an audio file (multipart: `file`, `title`) as a sound or a voice-over',
    tags: ['sounds'],
    auth: true,
    multipart: true,
    response: Sound,
    status: 201,
  }),
  updateSound: route({
    method: 'PATCH',
    path: '/api/sounds/:id',
    summary: 'Rename my sound or turn it off',
    tags: ['sounds'],
    auth: true,
    params: Id,
    body: SoundUpdate,
    response: Sound,
  }),
  templates: route({
    method: 'GET',
    path: '/api/studio/templates',
    summary: 'Templates, most used first',
    tags: ['studio'],
    auth: false,
    response: TemplateList,
  }),
  template: route({
    method: 'GET',
    path: '/api/studio/templates/:id',
    summary: 'A template and its slots',
    tags: ['studio'],
    auth: false,
    params: Id,
    response: Template,
  }),
  soundSettings: route({
    method: 'GET',
    path: '/api/me/sound-settings',
    summary: "Whether my uploads' audio becomes sounds others can use (the default for new uploads)",
    tags: ['sounds'],
    auth: true,
    response: SoundSettings,
  }),
  updateSoundSettings: route({
    method: 'PUT',
    path: '/api/me/sound-settings',
    summary: "Turn my uploads' audio into sounds, or not (applies to uploads published from now on that did not choose themselves)",
    tags: ['sounds'],
    auth: true,
    body: SoundSettings,
    response: SoundSettings,
  }),
  createTemplate: route({
    method: 'POST',
    path: '/api/studio/templates',
    summary: 'Publish an EDL with slot placeholders as a template',
    tags: ['studio'],
    auth: true,
    body: TemplateBody,
    response: Template,
    status: 201,
  }),
} as const;
