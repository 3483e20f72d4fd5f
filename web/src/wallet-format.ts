/** Money as people read it: cents → "$12.34", coins and diamonds with thousands separators. */
export const formatUsd = (cents: number) => `$${(cents / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export const formatAmount = (n: number) => n.toLocaleString('en-US');
