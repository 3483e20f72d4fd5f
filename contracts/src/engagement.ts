// Likes, saves, comments, blocks and notifications (issue 4). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { route } from './route-def.ts';

void route;
export const engagementRoutes = {} as const;
