// Creation studio: edit descriptions (EDL), renders, sounds, duet/stitch, templates (issue 5). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { route } from './route-def.ts';

void route;
export const studioRoutes = {} as const;
