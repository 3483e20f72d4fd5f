export * from './schemas.ts';
export * from './routes.ts';
export * from './client.ts';
export * from './caption.ts';
export * from './ledger.ts';
export * from './wallet.ts';
export * from './engagement.ts';
export * from './discovery.ts';
