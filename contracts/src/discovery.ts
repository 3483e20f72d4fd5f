// Search, trends, challenges and share pages (issue 4). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { route } from './route-def.ts';

void route;
export const discoveryRoutes = {} as const;
