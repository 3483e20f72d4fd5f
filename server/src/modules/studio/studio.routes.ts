import type { FastifyInstance } from 'fastify';
import { mount } from '../../http/route.ts';
import type { StudioService } from './studio.service.ts';

export function registerStudioRoutes(app: FastifyInstance, studio: StudioService) {
  mount(app, 'createRender', async (req) => studio.createRender(req.user, req.body), { rateLimit: { max: 30, timeWindow: '1 minute' } });
  mount(app, 'render', async (req) => studio.getRender(req.params.id, req.user));
  mount(app, 'cancelRender', async (req) => studio.cancelRender(req.params.id, req.user));
  mount(app, 'retryRender', async (req) => studio.retryRender(req.params.id, req.user));
  mount(app, 'lineage', async (req) => studio.lineage(req.params.id, req.user));
  mount(app, 'setRemixPermissions', async (req) => studio.setPermissions(req.params.id, req.user, req.body));
  mount(app, 'drafts', async (req) => studio.drafts(req.user));
  mount(app, 'createDraft', async (req) => studio.saveDraft(req.user, undefined, req.body));
  mount(app, 'updateDraft', async (req) => studio.saveDraft(req.user, req.params.id, req.body));
  mount(app, 'deleteDraft', async (req) => {
    await studio.deleteDraft(req.user, req.params.id);
    return { ok: true as const };
  });
  mount(app, 'templates', async () => studio.templates());
  mount(app, 'template', async (req) => studio.template(req.params.id));
  mount(app, 'createTemplate', async (req) => studio.createTemplate(req.user, req.body));
}
