import type { Logger } from 'pino';
import type { LedgerService, ReconcileReport } from './ledger.service.ts';

/** Job handlers of the ledger (idempotent: expiring twice finds nothing; reconciling twice stores two reports). */
export function createLedgerJobs(deps: { ledger: LedgerService; log: Logger }) {
  const { ledger, log } = deps;
  return {
    async expire(): Promise<number> {
      const n = await ledger.expirePending();
      if (n) log.info({ expired: n }, 'ledger: voided timed-out pending transfers');
      return n;
    },
    /** Runs reconcile() and stores the report for staff; a failed reconciliation is logged as an error (alert on it). */
    async reconcile(): Promise<ReconcileReport> {
      const report = await ledger.reconcile();
      await ledger.repo.saveReconciliation(report.ok, report);
      if (report.ok) log.info({ transfers: report.transfers, durationMs: report.durationMs }, 'ledger reconciled');
      else log.error({ violations: report.violationCount, first: report.violations.slice(0, 5) }, 'LEDGER RECONCILIATION FAILED');
      return report;
    },
  };
}
