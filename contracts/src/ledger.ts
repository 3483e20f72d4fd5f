// Ledger: the staff explorer and reconciliation (issue 6). Schemas and routes of this domain; routes.ts spreads the table into the one route table.
import { route } from './route-def.ts';

void route;
export const ledgerRoutes = {} as const;
