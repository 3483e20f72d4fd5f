import type { CoinPackage, Gift } from '@flick/contracts';

/**
 * The published price table. A coin's nominal value is 1 US cent; packages are sold at that value (no bulk discount,
 * so a coin is worth the same whichever package it came from and refunds are exact).
 */
export const COIN_PACKAGES: readonly CoinPackage[] = [
  { id: 'coins_100', coins: 100, priceCents: 100, currency: 'usd', label: '100 coins' },
  { id: 'coins_500', coins: 500, priceCents: 500, currency: 'usd', label: '500 coins' },
  { id: 'coins_1000', coins: 1_000, priceCents: 1_000, currency: 'usd', label: '1,000 coins' },
  { id: 'coins_5000', coins: 5_000, priceCents: 5_000, currency: 'usd', label: '5,000 coins' },
  { id: 'coins_10000', coins: 10_000, priceCents: 10_000, currency: 'usd', label: '10,000 coins' },
];

/** The creator earns this share of a gift's coin value, in diamonds; the platform keeps the rest. */
export const CREATOR_SHARE_PERCENT = 50;
/** One diamond is worth one US cent when cashed out. */
export const DIAMOND_USD_CENTS = 1;

/** Gift prices are even so the creator's 50 % share is a whole number of diamonds. Artwork is served from the web app. */
export const GIFTS: readonly Gift[] = [
  { id: 'heart', name: 'Heart', coins: 2, artwork: '/gifts/heart.svg', animation: 'pop' },
  { id: 'rose', name: 'Rose', coins: 10, artwork: '/gifts/rose.svg', animation: 'float' },
  { id: 'star', name: 'Star', coins: 50, artwork: '/gifts/star.svg', animation: 'spin' },
  { id: 'rocket', name: 'Rocket', coins: 200, artwork: '/gifts/rocket.svg', animation: 'launch' },
  { id: 'crown', name: 'Crown', coins: 1_000, artwork: '/gifts/crown.svg', animation: 'rain' },
  { id: 'galaxy', name: 'Galaxy', coins: 5_000, artwork: '/gifts/galaxy.svg', animation: 'burst' },
];

export const creatorDiamonds = (coins: number) => (coins * CREATOR_SHARE_PERCENT) / 100;

/** Limits, documented in docs/ledger.md. */
export const LIMITS = {
  /** Purchases (attempts) per user per 10 minutes, and per UTC day. */
  purchasesPer10Min: 5,
  purchasesPerDay: 20,
  /** Purchases (not failed) per user per UTC day, in cents, whatever the user's own limit. */
  purchaseCentsPerDay: 50_000,
  /** Gifts per user per minute, and coins gifted per hour. */
  giftsPerMinute: 20,
  giftCoinsPerHour: 50_000,
  /** Cash-out: at least this many diamonds per request, at most this many requested per UTC day. */
  minPayoutDiamonds: 1_000,
  maxDailyPayoutDiamonds: 100_000,
  /** A cash-out request not decided within this time is voided and the diamonds return. */
  payoutPendingSec: 14 * 24 * 3600,
} as const;
