import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { ApiError, buildPath, walletRoutes } from '@flick/contracts';
import { createTestApp, eventually as eventuallyValue, insertReadyVideo, type TestApp, type TestUser } from '../../testing/harness.ts';
import { createSandboxPayoutProvider, SANDBOX_CARDS, SANDBOX_SIGNATURE_HEADER } from '../payments/sandbox-provider.ts';
import { createWalletService } from './wallet.service.ts';

const uuid = () => crypto.randomUUID();

async function rejects(p: Promise<unknown>, status: number, code?: string) {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ApiError, `expected an ApiError, got ${String(err)}`);
    assert.equal(err.status, status, `${err.code}: ${err.message}`);
    if (code) assert.equal(err.code, code, err.message);
    assert.ok(err.message.length > 5, 'errors explain themselves');
    return err;
  }
  assert.fail(`expected ${status}${code ? ` ${code}` : ''}, but the call succeeded`);
}

describe('wallet: coins, gifts, earnings, cash-out', () => {
  let t: TestApp;
  let buyer: TestUser;
  let creator: TestUser;
  let admin: TestUser;
  let support: TestUser;
  let videoId: string;

  /** Posts a raw body to the webhook route, as a provider would. */
  const postWebhook = async (body: string, headers: Record<string, string>) => {
    const res = await fetch(`${t.baseUrl}/api/payments/webhooks/sandbox`, { method: 'POST', headers, body });
    return { status: res.status, body: (await res.json()) as { received?: boolean; duplicate?: boolean; outcome?: string; error?: { code: string } } };
  };
  const delivered: { body: string; headers: Record<string, string>; status: number; outcome?: string }[] = [];
  const deliver = (opts: { order?: 'sent' | 'reverse'; duplicate?: boolean } = {}) =>
    t.ctx.sandboxPayments!.deliverDue(async (body, headers) => {
      const r = await postWebhook(body, headers);
      delivered.push({ body, headers, status: r.status, outcome: r.body.outcome });
      assert.equal(r.status, 200, JSON.stringify(r.body));
    }, opts);
  const buy = async (u: TestUser, packageId = 'coins_100', card: string = SANDBOX_CARDS.success) => {
    const p = await u.client.call('buyCoins', { body: { id: uuid(), packageId, paymentMethod: card } });
    await deliver();
    return p;
  };
  const coins = async (u: TestUser) => (await u.client.call('wallet')).coins;
  const grant = async (u: TestUser, roles: string[]) => {
    await t.ctx.dbh.db.updateTable('users').set({ roles }).where('id', '=', u.me.id).execute();
  };

  before(async () => {
    t = await createTestApp();
    buyer = await t.newUser({ username: 'buyer1' });
    creator = await t.newUser({ username: 'creator1' });
    admin = await t.newUser({ username: 'admin1' });
    support = await t.newUser({ username: 'support1' });
    await grant(admin, ['user', 'admin']);
    await grant(support, ['user', 'support']);
    videoId = await insertReadyVideo(t, { userId: creator.me.id, caption: 'gift me #dance', at: new Date() });
  });
  after(async () => {
    const r = await t.ctx.ledger.reconcile();
    await t.close();
    assert.equal(r.ok, true, `ledger reconciles after every flow: ${JSON.stringify(r.violations)}`);
  });

  test('every signed-in wallet route refuses anonymous callers', async () => {
    const signedIn = Object.entries(walletRoutes).filter(([, r]) => r.auth);
    assert.ok(signedIn.length >= 18);
    // Valid bodies, so the refusal is about who is asking (validation runs before authentication).
    const bodies: Record<string, unknown> = {
      setSpendingLimit: { dailyLimitCents: null },
      buyCoins: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success },
      sandbox3ds: { approve: true },
      sendGift: { id: uuid(), giftId: 'rose' },
      requestPayout: { id: uuid(), diamonds: 1000 },
      rejectPayout: { reason: 'no' },
    };
    for (const [name, r] of signedIn) {
      const url = t.baseUrl + buildPath(r.path, { id: uuid(), username: 'creator1', provider: 'sandbox' });
      const body = bodies[name];
      const res = await fetch(url, {
        method: r.method,
        headers: body ? { 'content-type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
      });
      assert.equal(res.status, 401, name);
    }
  });

  test('price table and gift catalogue are public', async () => {
    const { packages } = await t.anon.call('coinPackages');
    assert.ok(packages.length >= 3);
    assert.ok(packages.every((p) => p.coins > 0 && p.priceCents > 0 && Number.isInteger(p.coins)));
    const cat = await t.anon.call('giftCatalogue');
    assert.equal(cat.creatorSharePercent, 50);
    assert.ok(cat.gifts.every((g) => g.coins % 2 === 0 && g.artwork.endsWith('.svg')));
  });

  test('a card purchase credits coins once, only after the signed webhook', async () => {
    const id = uuid();
    const p = await buyer.client.call('buyCoins', { body: { id, packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
    assert.equal(p.status, 'pending');
    assert.equal(await coins(buyer), 0, 'nothing before the provider confirms');
    // The same request again (a retry) is the same purchase, not a second charge.
    const again = await buyer.client.call('buyCoins', { body: { id, packageId: 'coins_1000', paymentMethod: SANDBOX_CARDS.success } });
    assert.equal(again.id, id);
    assert.equal(await deliver({ duplicate: true }), 1);
    const outcomes = delivered.slice(-2).map((d) => d.outcome);
    assert.deepEqual(outcomes, ['credited', 'credited'], 'the duplicate reports the first outcome');
    assert.equal(await coins(buyer), 1000);
    assert.equal((await buyer.client.call('purchase', { params: { id } })).status, 'succeeded');
    // A replay of the captured webhook, later: the same event id → nothing moves.
    const last = delivered.at(-1)!;
    const replay = await postWebhook(last.body, { 'content-type': 'application/json', [SANDBOX_SIGNATURE_HEADER]: t.ctx.sandboxPayments!.sign(last.body) });
    assert.equal(replay.status, 200);
    assert.equal(replay.body.duplicate, true);
    assert.equal(await coins(buyer), 1000);
    const transfer = await t.ctx.ledger.transfer(id);
    assert.equal(transfer?.amount, 1000, 'the purchase id is the ledger transfer id');
    const hist = await buyer.client.call('walletHistory');
    assert.equal(hist.items[0]?.coins, 1000);
    assert.equal(hist.items[0]?.kind, 'coin_purchase');
  });

  test('forged, tampered, stale and unsigned webhooks are refused and change nothing', async () => {
    const before = await coins(buyer);
    const p = await buyer.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } });
    const row = await t.ctx.dbh.db.selectFrom('sandbox_webhooks').selectAll().where('delivered_at', 'is', null).executeTakeFirstOrThrow();
    const body = row.payload;
    const cases: [string, Record<string, string>, string][] = [
      ['unsigned', {}, body],
      ['garbage', { [SANDBOX_SIGNATURE_HEADER]: 'nonsense' }, body],
      [
        'wrong secret',
        { [SANDBOX_SIGNATURE_HEADER]: `t=${Math.floor(Date.now() / 1000)},v1=${crypto.createHmac('sha256', 'x').update(body).digest('hex')}` },
        body,
      ],
      ['stale replay', { [SANDBOX_SIGNATURE_HEADER]: t.ctx.sandboxPayments!.sign(body, Math.floor(Date.now() / 1000) - 3600) }, body],
      ['tampered body', { [SANDBOX_SIGNATURE_HEADER]: t.ctx.sandboxPayments!.sign(body) }, body.replace('"succeeded"', '"refunded"')],
    ];
    for (const [name, h, b] of cases) {
      const r = await postWebhook(b, { 'content-type': 'application/json', ...h });
      assert.equal(r.status, 400, name);
      assert.equal(r.body.error?.code, 'invalid_signature', name);
    }
    const stripe = await fetch(`${t.baseUrl}/api/payments/webhooks/stripe`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(stripe.status, 404, 'a provider this installation does not use');
    assert.equal(await coins(buyer), before);
    assert.equal((await buyer.client.call('purchase', { params: { id: p.id } })).status, 'pending');
    await deliver();
    assert.equal(await coins(buyer), before + 100);
  });

  test('a declined card fails the purchase and credits nothing', async () => {
    const before = await coins(buyer);
    const p = await buyer.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.decline } });
    assert.equal(p.status, 'failed');
    assert.equal(p.failureReason, 'card_declined');
    await deliver();
    assert.equal(await coins(buyer), before);
    const other = await buyer.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: '5555555555554444' } });
    assert.equal(other.status, 'failed', 'the sandbox takes only its test cards');
  });

  test('3-D Secure: the buyer completes the step; nobody else can; out-of-order webhooks settle correctly', async () => {
    const u = await t.newUser();
    const p = await u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_500', paymentMethod: SANDBOX_CARDS.threeDs } });
    assert.equal(p.status, 'requires_action');
    assert.equal(p.actionUrl, `/wallet/3ds/${p.id}`);
    await rejects(buyer.client.call('sandbox3ds', { params: { id: p.id }, body: { approve: true } }), 404);
    await rejects(buyer.client.call('purchase', { params: { id: p.id } }), 404);
    const done = await u.client.call('sandbox3ds', { params: { id: p.id }, body: { approve: true } });
    assert.equal(done.status, 'requires_action', 'still waiting for the webhook');
    await rejects(u.client.call('sandbox3ds', { params: { id: p.id }, body: { approve: true } }), 409, 'no_action_pending');
    // Deliver newest first: the success lands before the older requires_action, which must not undo it.
    await deliver({ order: 'reverse' });
    const after1 = await u.client.call('purchase', { params: { id: p.id } });
    assert.equal(after1.status, 'succeeded');
    assert.equal(await coins(u), 500);
    // A failed challenge fails the purchase.
    const q = await u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.threeDs } });
    await u.client.call('sandbox3ds', { params: { id: q.id }, body: { approve: false } });
    await deliver();
    assert.equal((await u.client.call('purchase', { params: { id: q.id } })).status, 'failed');
    assert.equal(await coins(u), 500);
  });

  test('a refund that overtakes its success credits nothing', async () => {
    const u = await t.newUser();
    const p = await u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } });
    const ref = (await t.ctx.dbh.db.selectFrom('wallet_purchases').select('provider_ref').where('id', '=', p.id).executeTakeFirstOrThrow()).provider_ref!;
    await t.ctx.sandboxPayments!.refund(ref, p.id);
    await deliver({ order: 'reverse' });
    const after1 = await u.client.call('purchase', { params: { id: p.id } });
    assert.equal(after1.status, 'refunded');
    assert.equal(await coins(u), 0);
    assert.equal(await t.ctx.ledger.transfer(p.id), undefined, 'no coin transfer was ever made');
  });

  test('bad purchase input is refused with a clear error and moves nothing', async () => {
    const before = await coins(buyer);
    await rejects(
      buyer.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_999', paymentMethod: SANDBOX_CARDS.success } }),
      400,
      'unknown_package',
    );
    await rejects(
      buyer.client.call('buyCoins', { body: { id: 'not-a-uuid', packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }),
      400,
      'invalid_request',
    );
    await rejects(buyer.client.call('buyCoins', { body: { id: uuid(), packageId: '', paymentMethod: SANDBOX_CARDS.success } }), 400, 'invalid_request');
    // Amounts come only from the price table: an amount in the body is refused, not trusted.
    const raw = await fetch(`${t.baseUrl}/api/wallet/purchases`, {
      method: 'POST',
      headers: { cookie: buyer.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success, coins: 1_000_000 }),
    });
    assert.equal(raw.status, 400);
    await rejects(t.anon.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }), 401);
    // Someone else's purchase id is neither readable nor reusable.
    const mine = await buyer.client.call('myPurchases');
    const theirs = mine.items[0]!.id;
    await rejects(creator.client.call('purchase', { params: { id: theirs } }), 404);
    await rejects(
      creator.client.call('buyCoins', { body: { id: theirs, packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }),
      409,
      'purchase_id_in_use',
    );
    await deliver();
    assert.equal(await coins(buyer), before);
    assert.equal(await coins(creator), 0);
  });

  test('under 18: no buying, gifting, receiving or cashing out', async () => {
    const minor = await t.newUser({ birthdate: '2012-06-01' });
    await rejects(
      minor.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }),
      403,
      'minor_cannot_buy',
    );
    await rejects(minor.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'rose' } }), 403, 'minor_cannot_gift');
    await rejects(minor.client.call('requestPayout', { body: { id: uuid(), diamonds: 1000 } }), 403, 'minor_cannot_cash_out');
    const w = await minor.client.call('wallet');
    assert.equal(w.canBuy, false);
    assert.equal(w.canGift, false);
    const minorVideo = await insertReadyVideo(t, { userId: minor.me.id, caption: 'teen clip', at: new Date() });
    const before = await coins(buyer);
    await rejects(buyer.client.call('sendGift', { params: { id: minorVideo }, body: { id: uuid(), giftId: 'rose' } }), 403, 'creator_cannot_receive');
    assert.equal(await coins(buyer), before);
  });

  test('a gift moves coins from the sender and diamonds to the creator at 50 %, once', async () => {
    const before = await coins(buyer);
    const id = uuid();
    const sent = await buyer.client.call('sendGift', { params: { id: videoId }, body: { id, giftId: 'rose' } });
    assert.deepEqual({ coins: sent.coins, diamonds: sent.diamonds, walletCoins: sent.walletCoins }, { coins: 10, diamonds: 5, walletCoins: before - 10 });
    // A double tap (same id) sends one gift.
    const again = await buyer.client.call('sendGift', { params: { id: videoId }, body: { id, giftId: 'rose' } });
    assert.equal(again.id, id);
    assert.equal(await coins(buyer), before - 10);
    const e = await creator.client.call('earnings');
    assert.equal(e.diamonds, 5);
    assert.equal(e.usdCents, 5);
    const g = await t.anon.call('videoGifts', { params: { id: videoId } });
    assert.equal(g.gifts, 1);
    assert.equal(g.coins, 10);
    assert.equal(g.top[0]?.user.username, 'buyer1');
    assert.equal(g.recent[0]?.giftId, 'rose');
    const lb = await t.anon.call('creatorGifts', { params: { username: 'creator1' } });
    assert.equal(lb.top[0]?.coins, 10);
    // The three transfers: creator share, platform share, diamonds.
    const d = await t.ctx.ledger.transfer(id);
    assert.equal(d?.asset, 'DIAMOND');
    assert.equal(d?.amount, 5);
  });

  test('gifts that must not happen are refused and move nothing', async () => {
    const before = await coins(buyer);
    const send = (u: TestUser, vid: string, giftId = 'rose', extra: { commentId?: string } = {}) =>
      u.client.call('sendGift', { params: { id: vid }, body: { id: uuid(), giftId, ...extra } });
    await rejects(send(buyer, videoId, 'unicorn'), 400, 'unknown_gift');
    await rejects(send(creator, videoId), 400, 'gift_to_self');
    await rejects(send(buyer, uuid()), 404);
    await rejects(buyer.client.call('sendGift', { params: { id: 'nope' }, body: { id: uuid(), giftId: 'rose' } }), 400);
    const priv = await insertReadyVideo(t, { userId: creator.me.id, caption: 'secret', at: new Date(), visibility: 'private' });
    await rejects(send(buyer, priv), 403, 'video_private');
    const processing = await insertReadyVideo(t, { userId: creator.me.id, caption: 'soon', at: new Date() });
    await t.ctx.dbh.db.updateTable('videos').set({ status: 'failed' }).where('id', '=', processing).execute();
    await rejects(send(buyer, processing), 409, 'video_unavailable');
    await rejects(send(buyer, videoId, 'rose', { commentId: uuid() }), 404);
    await rejects(send(buyer, videoId, 'galaxy'), 402, 'insufficient_coins');
    await rejects(t.anon.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'rose' } }), 401);
    assert.equal(await coins(buyer), before);
  });

  test('the creator is notified; gifts on a comment; a creator who blocked the sender receives nothing', async () => {
    const u = await t.newUser();
    await buy(u, 'coins_100');
    const c = await t.newUser();
    const vid = await insertReadyVideo(t, { userId: c.me.id, caption: 'hello', at: new Date() });
    const comment = await u.client.call('addComment', { params: { id: vid }, body: { text: 'love it' } });
    const g = await u.client.call('sendGift', { params: { id: vid }, body: { id: uuid(), giftId: 'rose', commentId: comment.id } });
    assert.equal(g.coins, 10);
    const row = await t.ctx.dbh.db.selectFrom('wallet_gifts').select('comment_id').where('id', '=', g.id).executeTakeFirstOrThrow();
    assert.equal(row.comment_id, comment.id);
    // A comment on another video is not this video's comment.
    await rejects(u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'rose', commentId: comment.id } }), 404);
    const inbox = await eventuallyValue(async () => {
      const n = await c.client.call('notifications');
      return n.items.find((i) => i.type === 'gift');
    });
    assert.equal(inbox.actors[0]?.username, u.me.username);
    assert.match(inbox.text, /rose/);
    await c.client.call('block', { params: { username: u.me.username } });
    await rejects(u.client.call('sendGift', { params: { id: vid }, body: { id: uuid(), giftId: 'rose' } }), 404);
    assert.equal(await coins(u), 90);
  });

  test('a suspended creator receives no gifts and cannot cash out; a pending request can be rejected, not paid; lifting restores both', async () => {
    const fan = await t.newUser();
    await buy(fan, 'coins_100');
    const c = await t.newUser();
    const vid = await insertReadyVideo(t, { userId: c.me.id, caption: 'soon suspended', at: new Date() });
    const from = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
    const to = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: c.me.id, flags: { debitsMustNotExceedCredits: true } });
    await t.ctx.ledger.createTransfers([{ id: uuid(), debitAccountId: from.id, creditAccountId: to.id, amount: 5_000, code: 'test_funding' }]);
    const pending = await c.client.call('requestPayout', { body: { id: uuid(), diamonds: 1_000 } });
    const params = { username: c.me.username };
    await rejects(support.client.call('suspendAccount', { params, body: { reason: 'fraud ring' } }), 403);
    await admin.client.call('suspendAccount', { params, body: { reason: 'fraud ring' } });

    await rejects(fan.client.call('sendGift', { params: { id: vid }, body: { id: uuid(), giftId: 'rose' } }), 403, 'creator_unavailable');
    assert.equal(await coins(fan), 100, 'nothing moved');
    await rejects(c.client.call('requestPayout', { body: { id: uuid(), diamonds: 1_000 } }), 403, 'account_suspended');
    const e = await c.client.call('earnings');
    assert.equal(e.canCashOut, false);
    assert.equal(e.requestableTodayDiamonds, 0);
    assert.equal(e.diamonds, 4_000);
    await rejects(admin.client.call('approvePayout', { params: { id: pending.id } }), 403, 'account_suspended');
    assert.equal(
      await t.ctx.dbh.db.selectFrom('sandbox_payouts').select('id').where('payout_id', '=', pending.id).executeTakeFirst(),
      undefined,
      'nothing paid',
    );
    const rejected = await admin.client.call('rejectPayout', { params: { id: pending.id }, body: { reason: 'account suspended' } });
    assert.equal(rejected.status, 'rejected');
    assert.equal((await c.client.call('earnings')).diamonds, 5_000, 'the reserved diamonds came back');

    await admin.client.call('unsuspendAccount', { params, body: { reason: 'cleared after review' } });
    const g = await fan.client.call('sendGift', { params: { id: vid }, body: { id: uuid(), giftId: 'rose' } });
    assert.equal(g.diamonds, 5);
    const again = await c.client.call('requestPayout', { body: { id: uuid(), diamonds: 1_000 } });
    assert.equal(again.status, 'pending');
    // Leave no open request behind for the cash-out tests below.
    await admin.client.call('rejectPayout', { params: { id: again.id }, body: { reason: 'test over' } });
    const standing = await support.client.call('accountStanding', { params });
    assert.deepEqual(
      standing.actions.map((a) => a.action),
      ['unsuspend', 'suspend'],
    );
  });

  test('three 50-coin gifts racing for 100 coins: exactly two go through', async () => {
    const u = await t.newUser();
    await buy(u, 'coins_100');
    const results = await Promise.allSettled([0, 1, 2].map(() => u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'star' } })));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(ok, 2, '100 coins pay for two 50-coin stars');
    assert.equal(await coins(u), 0);
  });

  test('refund claws back unspent coins; spent coins become a recovery balance that blocks gifting until repaid', async () => {
    const u = await t.newUser();
    const p = await buy(u, 'coins_100');
    await u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'star' } });
    assert.equal(await coins(u), 50);
    await rejects(u.client.call('refundPurchase', { params: { id: p.id } }), 403);
    await support.client.call('refundPurchase', { params: { id: p.id } });
    await deliver();
    const r = await u.client.call('purchase', { params: { id: p.id } });
    assert.equal(r.status, 'refunded');
    assert.equal(r.clawedBackCoins, 50);
    assert.equal(r.recoveryCoins, 50);
    const w = await u.client.call('wallet');
    assert.equal(w.coins, 0);
    assert.equal(w.recoveryOwed, 50);
    assert.equal(w.canGift, false);
    await rejects(u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'heart' } }), 403, 'recovery_balance_owed');
    await rejects(support.client.call('refundPurchase', { params: { id: p.id } }), 409, 'not_refundable');
    // Support sees it all.
    const s = await support.client.call('supportWallet', { params: { username: u.me.username } });
    assert.equal(s.wallet.recoveryOwed, 50);
    assert.equal(s.purchases[0]?.status, 'refunded');
    assert.ok(s.flags.some((f) => f.kind === 'recovery_balance'));
    await rejects(u.client.call('supportWallet', { params: { username: u.me.username } }), 403);
    // The next purchase repays first.
    await buy(u, 'coins_100');
    const w2 = await u.client.call('wallet');
    assert.equal(w2.recoveryOwed, 0);
    assert.equal(w2.coins, 50);
    assert.equal(w2.canGift, true);
    await u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'heart' } });
  });

  test('a chargeback claws back and flags the account; only admins can raise one in the sandbox', async () => {
    const u = await t.newUser();
    const p = await buy(u, 'coins_500');
    await rejects(support.client.call('sandboxChargeback', { params: { id: p.id } }), 403);
    await admin.client.call('sandboxChargeback', { params: { id: p.id } });
    await deliver({ duplicate: true });
    assert.equal((await u.client.call('purchase', { params: { id: p.id } })).status, 'charged_back');
    assert.equal(await coins(u), 0);
    const s = await admin.client.call('supportWallet', { params: { username: u.me.username } });
    assert.equal(s.flags.filter((f) => f.kind === 'chargeback').length, 1, 'a duplicated webhook flags once');
    await rejects(admin.client.call('sandboxChargeback', { params: { id: p.id } }), 409);
  });

  test('a self-set daily spending limit stops purchases; bad limits are refused', async () => {
    const u = await t.newUser();
    for (const bad of [0, -100, 1.5, 1e12, 'ten'] as unknown[])
      await rejects(u.client.call('setSpendingLimit', { body: { dailyLimitCents: bad as number } }), 400, 'invalid_request');
    const w = await u.client.call('setSpendingLimit', { body: { dailyLimitCents: 500 } });
    assert.equal(w.dailyLimitCents, 500);
    await buy(u, 'coins_500');
    await rejects(
      u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }),
      403,
      'spending_limit_reached',
    );
    assert.equal((await u.client.call('wallet')).spentTodayCents, 500);
    await u.client.call('setSpendingLimit', { body: { dailyLimitCents: null } });
    await buy(u, 'coins_100');
    assert.equal(await coins(u), 600);
  });

  test('velocity: a burst of purchases is stopped and flagged', async () => {
    const u = await t.newUser();
    for (let i = 0; i < 5; i++) await u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.decline } });
    await rejects(u.client.call('buyCoins', { body: { id: uuid(), packageId: 'coins_100', paymentMethod: SANDBOX_CARDS.success } }), 429, 'purchase_velocity');
    const s = await support.client.call('supportWallet', { params: { username: u.me.username } });
    assert.ok(s.flags.some((f) => f.kind === 'velocity_purchases'));
  });

  test('velocity: a burst of gifts is stopped and flagged', async () => {
    const u = await t.newUser();
    await buy(u, 'coins_100');
    for (let i = 0; i < 20; i++) await u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'heart' } });
    await rejects(u.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'heart' } }), 429, 'gift_velocity');
    assert.equal(await coins(u), 60);
  });

  test('earnings by day, video and gifter, and a CSV statement', async () => {
    const e = await creator.client.call('earnings');
    assert.ok(e.byDay.length >= 1);
    assert.equal(e.byDay[0]!.day, new Date().toISOString().slice(0, 10));
    assert.equal(e.byVideo[0]?.videoId, videoId);
    assert.equal(e.byVideo[0]?.caption, 'gift me #dance');
    assert.ok(e.byGifter.some((g) => g.user.username === 'buyer1'));
    assert.equal(
      e.byDay.reduce((s, d) => s + d.diamonds, 0),
      e.diamonds,
    );
    const st = await creator.client.call('earningsStatement');
    assert.equal(st.csv.split('\r\n')[0], '"date","type","item","video_id","from","diamonds","usd","id"');
    assert.equal(
      st.rows,
      e.byDay.reduce((s, d) => s + d.gifts, 0),
    );
    await rejects(creator.client.call('earningsStatement', { query: { from: '2026-13-45' } }), 400);
    await rejects(creator.client.call('earningsStatement', { query: { from: '2026-05-02', to: '2026-05-01' } }), 400, 'invalid_range');
    const own = await buyer.client.call('earnings');
    assert.equal(own.diamonds, 0, 'a user sees only their own earnings');
  });

  test('cash-out: minimum, reservation, staff approve (paid) or reject (returned), bad amounts refused', async () => {
    const rich = await t.newUser();
    await buy(rich, 'coins_5000');
    await rich.client.call('sendGift', { params: { id: videoId }, body: { id: uuid(), giftId: 'galaxy' } });
    const e0 = await creator.client.call('earnings');
    assert.ok(e0.diamonds >= 2500);
    for (const bad of [0, -5, 1.5, 1e15, '1000'] as unknown[])
      await rejects(creator.client.call('requestPayout', { body: { id: uuid(), diamonds: bad as number } }), 400, 'invalid_request');
    await rejects(creator.client.call('requestPayout', { body: { id: uuid(), diamonds: 999 } }), 400, 'below_minimum');
    await rejects(creator.client.call('requestPayout', { body: { id: uuid(), diamonds: e0.diamonds + 1000 } }), 402, 'insufficient_diamonds');
    const p1 = await creator.client.call('requestPayout', { body: { id: uuid(), diamonds: 1000 } });
    assert.equal(p1.status, 'pending');
    assert.equal(p1.amountCents, 1000);
    const e1 = await creator.client.call('earnings');
    assert.equal(e1.diamonds, e0.diamonds - 1000, 'reserved diamonds are not spendable');
    assert.equal(e1.pendingPayoutDiamonds, 1000);
    const p2 = await creator.client.call('requestPayout', { body: { id: uuid(), diamonds: 1000 } });
    // Who may see and decide.
    await rejects(creator.client.call('staffPayouts'), 403);
    const list = await support.client.call('staffPayouts', { query: { status: 'pending' } });
    assert.deepEqual(
      list.items.map((p) => p.id),
      [p1.id, p2.id],
    );
    await rejects(support.client.call('approvePayout', { params: { id: p1.id } }), 403);
    await rejects(creator.client.call('approvePayout', { params: { id: p1.id } }), 403);
    await rejects(t.anon.call('approvePayout', { params: { id: p1.id } }), 401);
    // Unknown ids: a clear 404, nothing moved.
    await rejects(admin.client.call('approvePayout', { params: { id: uuid() } }), 404);
    await rejects(admin.client.call('rejectPayout', { params: { id: uuid() }, body: { reason: 'no' } }), 404);
    await rejects(support.client.call('refundPurchase', { params: { id: uuid() } }), 404);
    await rejects(support.client.call('supportWallet', { params: { username: 'no_such_user' } }), 404);
    await rejects(admin.client.call('approvePayout', { params: { id: 'not-a-uuid' } }), 400, 'invalid_request');
    await rejects(admin.client.call('rejectPayout', { params: { id: p2.id }, body: { reason: '  ' } }), 400);
    const paid = await admin.client.call('approvePayout', { params: { id: p1.id } });
    assert.equal(paid.status, 'paid');
    assert.match(paid.providerRef ?? '', /^sbx_po_/);
    await rejects(admin.client.call('approvePayout', { params: { id: p1.id } }), 409, 'payout_not_pending');
    const rejected = await admin.client.call('rejectPayout', { params: { id: p2.id }, body: { reason: 'bank details missing' } });
    assert.equal(rejected.status, 'rejected');
    const e2 = await creator.client.call('earnings');
    assert.equal(e2.diamonds, e0.diamonds - 1000, 'a rejected request returns its diamonds');
    assert.equal(e2.paidOutDiamonds, 1000);
    assert.equal(e2.pendingPayoutDiamonds, 0);
    const mine = await creator.client.call('myPayouts');
    assert.equal(mine.items.length, 2);
    assert.deepEqual((await buyer.client.call('myPayouts')).items, [], "nobody sees another's payouts");
    const st = await creator.client.call('earningsStatement');
    assert.match(st.csv, /"cash-out","paid"/);
    // The sandbox payout provider paid exactly once.
    const rows = await t.ctx.dbh.db.selectFrom('sandbox_payouts').selectAll().where('payout_id', '=', p1.id).execute();
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.amount_cents, 1000);
  });

  test('cash-out: a request nobody decides within 14 days expires and its diamonds return', async () => {
    const c = await t.newUser();
    const from = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
    const to = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: c.me.id, flags: { debitsMustNotExceedCredits: true } });
    await t.ctx.ledger.createTransfers([{ id: uuid(), debitAccountId: from.id, creditAccountId: to.id, amount: 3_000, code: 'test_funding' }]);
    const p = await c.client.call('requestPayout', { body: { id: uuid(), diamonds: 2_000 } });
    let now = Date.now();
    const w = createWalletService({
      db: t.ctx.dbh.db,
      clock: { now: () => new Date(now) },
      log: t.ctx.log,
      ledger: t.ctx.ledger,
      identity: t.ctx.identity,
      videosRepo: t.ctx.videosRepo,
      payments: t.ctx.sandboxPayments!,
      payouts: createSandboxPayoutProvider({ db: t.ctx.dbh.db }),
    });
    now += 15 * 86_400_000;
    assert.equal(await t.ctx.ledger.expirePending(new Date(now)), 1);
    const staffSession = { id: admin.me.id, username: admin.me.username, roles: admin.me.roles, isMinor: false };
    const listed = await w.staffPayouts({ ...staffSession, roles: ['admin'] }, 'expired');
    assert.ok(listed.items.some((x) => x.id === p.id && x.status === 'expired'));
    await assert.rejects(w.approvePayout({ ...staffSession, roles: ['admin'] }, p.id), (e: Error & { code?: string }) => e.code === 'payout_expired');
    assert.equal((await c.client.call('earnings')).diamonds, 3_000, 'the reserved diamonds are back');
    assert.equal(await t.ctx.dbh.db.selectFrom('sandbox_payouts').select('id').where('payout_id', '=', p.id).executeTakeFirst(), undefined, 'nothing was paid');
  });

  test('cash-out: a daily maximum', async () => {
    const c = await t.newUser();
    // Fund diamonds straight through the ledger (test setup), as gifts would.
    const from = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamond_issuance' });
    const to = await t.ctx.ledger.ensureAccount({ asset: 'DIAMOND', kind: 'diamonds', ownerId: c.me.id, flags: { debitsMustNotExceedCredits: true } });
    const [r] = await t.ctx.ledger.createTransfers([{ id: uuid(), debitAccountId: from.id, creditAccountId: to.id, amount: 150_000, code: 'test_funding' }]);
    assert.equal(r?.status, 'created');
    await c.client.call('requestPayout', { body: { id: uuid(), diamonds: 90_000 } });
    const err = await rejects(c.client.call('requestPayout', { body: { id: uuid(), diamonds: 20_000 } }), 400, 'daily_maximum');
    assert.match(err.message, /10000 left today/);
    assert.equal((await c.client.call('earnings')).requestableTodayDiamonds, 10_000);
  });
});
