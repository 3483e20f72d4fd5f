// Coins, gifts, earnings and cash-out (issue 6). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { route } from './route-def.ts';

void route;
export const walletRoutes = {} as const;
