// One business day of the bank: first the bank's own bookings (see demo.bookings.ts), then each
// customer's own transactions: salary or pension, everyday spending and transfers in and out,
// school fees, large movements, fund purchases and redemptions. Every transaction moves one
// account's balance; an outflow that would overdraw is clipped or skipped.
import { Rng } from './demo.random.js';
import { civilFromDays } from './demo.dates.js';
import { KIND, product } from './demo.bank.js';
import { EMPLOYERS, STREAM } from './demo.customers.js';
import type { CsvWriter } from './demo.csv-writer.js';
import { F_BOUNDARY, F_EDUCATION, F_FUND, F_NEW, F_PENSION, STATUS_ACTIVE } from './demo.state.js';
import type { Schedule, Stores } from './demo.portfolio.js';
import {
  AFTER_PAYDAY, CH_ATM, CH_COUNTER, CH_MOBILE, CH_ONLINE, CH_OTHER, HOURS, IN_CHANNELS, INTEREST, LARGE_IN, LARGE_OUT,
  OUT_CHANNELS, OUT_SIZE, PENSION, PeoplePool, SCHOOL_FEES, STUDY_ABROAD, ageGroup, drawChannel, everyday, party,
} from './demo.flows.js';
import { Ledger } from './demo.ledger.js';
import { Bookings } from './demo.bookings.js';

const EMPLOYER_TEXT = EMPLOYERS.map((e) => party('代发工资-' + e));
const EMPTY = new Uint8Array(0);
const T = {
  fundRedeemed: party('基金赎回'),
  fundBought: party('基金申购'),
};
const HUNDRED = 10_000;
const FEES = [200, 500, 1000, 1500] as const;
const MAX_BUF = 48;
/** Kinds of pending customer transactions. */
const IN = 0;
const OUT_CLIP = 1; // take what is there
const OUT_ATM = 2; // whole hundreds only
const FUND_BUY = 3;
const FUND_SELL = 4;
/** Chance of a profile change (phone, address, risk level) per customer per day. */
const PROFILE_CHANGE = 0.0004;

export class Simulator {
  private readonly rng = new Rng();
  private readonly people: PeoplePool;
  private readonly ledger = new Ledger();
  private readonly bookings: Bookings;
  // pending transactions of one customer-day
  private readonly bSec = new Int32Array(MAX_BUF);
  private readonly bCents = new Float64Array(MAX_BUF);
  private readonly bChannel = new Uint8Array(MAX_BUF);
  private readonly bType = new Uint8Array(MAX_BUF);
  private readonly bOrder = new Int32Array(MAX_BUF);
  private readonly bParty: Uint8Array[] = new Array<Uint8Array>(MAX_BUF).fill(EMPTY);
  private count = 0;

  constructor(
    private readonly seed: number,
    private readonly s: Stores,
    schedule: Schedule,
    endDay: number,
  ) {
    this.people = new PeoplePool(seed);
    this.bookings = new Bookings(seed, s, schedule, this.ledger, endDay);
  }

  /** Transactions written in all. */
  get written(): number {
    return this.ledger.written;
  }

  /** Simulate `day`, writing its transactions to `tx`. */
  async runDay(day: number, tx: CsvWriter, progress?: (done: number, total: number) => void): Promise<void> {
    this.ledger.startDay(day, tx);
    await this.bookings.run(day);
    await this.customers(day, progress);
  }

  private add(sec: number, cents: number, channel: number, type: number, counterparty: Uint8Array): void {
    const n = this.count;
    if (n >= MAX_BUF) return;
    this.bSec[n] = sec;
    this.bCents[n] = cents;
    this.bChannel[n] = channel;
    this.bType[n] = type;
    this.bParty[n] = counterparty;
    this.count = n + 1;
  }

  private profileChange(i: number, day: number): void {
    const cs = this.s.customers;
    const rng = this.rng;
    const what = rng.int(10);
    if (what < 4) cs.phoneVer[i] = ((cs.phoneVer[i] ?? 0) + 1) & 255;
    else if (what < 7) cs.addrVer[i] = ((cs.addrVer[i] ?? 0) + 1) & 255;
    else {
      const r = cs.risk[i] ?? 0;
      cs.risk[i] = r === 0 ? rng.range(1, 4) : r === 1 ? 2 : r === 5 ? 4 : rng.chance(0.5) ? r - 1 : r + 1;
    }
    cs.changedDay[i] = day;
  }

  private async customers(day: number, progress?: (done: number, total: number) => void): Promise<void> {
    const { customers: cs, accounts: a } = this.s;
    const rng = this.rng;
    const c = civilFromDays(day);
    const dom = c.d;
    const interestDay = dom === 21 && c.m % 3 === 0;
    const n = cs.n;
    const seed = this.seed;
    for (let i = 0; i < n; i++) {
      if ((i & 65535) === 65535 && progress) progress(i + 1, n);
      const opened = cs.openedDay[i] ?? 0;
      if (opened > day) continue;
      rng.reseed(seed, STREAM.day, i, day);
      if (rng.float() < PROFILE_CHANGE) this.profileChange(i, day);
      const flags = cs.flags[i] ?? 0;
      if ((flags & F_BOUNDARY) !== 0 || ((flags & F_NEW) !== 0 && opened === day)) continue;
      const cur = cs.currentAccount[i] ?? 0;
      const bal = a.balance[cur] ?? 0;
      const scale = cs.amountScale[i] ?? 20;
      const target = cs.currentTarget[i] ?? 1000;
      const age = cs.age[i] ?? 40;
      const group = ageGroup(age);
      this.count = 0;

      const payday = cs.payday[i] ?? 0;
      if (payday !== 0) {
        const salary = cs.salary[i] ?? 0;
        if (dom === payday) {
          const text = (flags & F_PENSION) !== 0 ? PENSION : EMPLOYER_TEXT[cs.employer[i] ?? 0] ?? PENSION;
          this.add(rng.range(8 * 3600, 12 * 3600 - 1), Math.round(salary * rng.uniform(0.97, 1.05)), CH_OTHER, IN, text);
        } else if (dom === payday + 2) {
          // card bills, rent, family: paid out of what the salary brought above the usual balance
          const cents = Math.round(Math.min(salary * rng.uniform(0.6, 0.95), bal - target * 0.8));
          if (cents >= 1000) this.add(rng.range(9 * 3600, 22 * 3600 - 1), -cents, CH_MOBILE, OUT_CLIP, rng.pick(AFTER_PAYDAY));
        }
      }
      if (interestDay && bal >= 40_000) this.add(rng.range(1800, 5400), Math.floor(bal * 0.00025), CH_OTHER, IN, INTEREST);
      if ((flags & F_EDUCATION) !== 0 && rng.float() < 0.02) {
        const abroad = (cs.band[i] ?? 0) >= 2 && rng.chance(0.3);
        const cents = Math.round(abroad ? rng.logUniform(50_000, 400_000) : rng.logUniform(3000, 40_000)) * 100;
        const ch = rng.chance(0.5) ? CH_ONLINE : rng.chance(0.6) ? CH_MOBILE : CH_COUNTER;
        this.add(rng.range(9 * 3600, 17 * 3600 - 1), -cents, ch, OUT_CLIP, rng.pick(abroad ? STUDY_ABROAD : SCHOOL_FEES));
      }
      const band = cs.band[i] ?? 0;
      if (rng.float() < (band >= 3 ? 0.0025 : band === 2 ? 0.0012 : band === 1 ? 0.0001 : 0.00003)) {
        if (bal < 6_000_000 || rng.chance(0.35)) {
          const cents = Math.round(Math.min(1_000_000, Math.max(50_000, (rng.logUniform(0.2, 1) * Math.max(target, 20_000_000)) / 100))) * 100;
          this.add(rng.range(9 * 3600, 17 * 3600 - 1), cents, rng.chance(0.5) ? CH_COUNTER : CH_MOBILE, IN, rng.pick(LARGE_IN));
        } else {
          const cents = Math.round(Math.min(1_000_000, Math.max(50_000, (bal * rng.uniform(0.4, 0.95)) / 100))) * 100;
          this.add(rng.range(9 * 3600, 17 * 3600 - 1), -cents, rng.chance(0.5) ? CH_COUNTER : CH_ONLINE, OUT_CLIP, rng.pick(LARGE_OUT));
        }
      }
      if ((flags & F_FUND) !== 0 && rng.float() < 0.004) {
        const sell = rng.chance(0.5);
        const cents = Math.round(rng.logUniform(1000, 50_000)) * 100;
        this.add(rng.range(9 * 3600, 15 * 3600 - 1), sell ? cents : -cents, CH_MOBILE, sell ? FUND_SELL : FUND_BUY, EMPTY);
      }
      let k = rng.poissonFromExp(cs.expNegLambda[i] ?? 1);
      if (k > 24) k = 24;
      const ratio = bal / target;
      const pOut = ratio < 0.5 ? 0.3 : ratio < 0.9 ? 0.55 : ratio < 1.2 ? 0.68 : ratio < 2 ? 0.8 : 0.9;
      for (let j = 0; j < k; j++) {
        if (rng.float() < pOut) {
          const ch = drawChannel(rng, OUT_CHANNELS[group]);
          const hours = HOURS[ch] ?? [7 * 3600, 22 * 3600];
          const sec = rng.range(hours[0], hours[1] - 1);
          if (ch === CH_ATM) {
            const hundreds = Math.max(1, Math.round((scale * rng.logNormal(OUT_SIZE[ch] ?? 1, 0.6)) / 100));
            this.add(sec, -hundreds * HUNDRED, ch, OUT_ATM, everyday(rng, ch, true, this.people));
          } else if (ch === CH_OTHER) {
            this.add(sec, -(FEES[rng.int(FEES.length)] ?? 200), ch, OUT_CLIP, everyday(rng, ch, true, this.people));
          } else {
            const cents = Math.max(1, Math.round(scale * rng.logNormal(OUT_SIZE[ch] ?? 1, 0.8) * 100));
            this.add(sec, -cents, ch, OUT_CLIP, everyday(rng, ch, true, this.people));
          }
        } else {
          const ch = drawChannel(rng, IN_CHANNELS[group]);
          const hours = HOURS[ch] ?? [7 * 3600, 22 * 3600];
          let yuan = scale * rng.logNormal(2.5, 0.6);
          if (ratio < 1) yuan += ((1 - ratio) * target * rng.float()) / 100; // back towards the usual balance
          const cents = ch === CH_ATM || ch === CH_COUNTER ? Math.max(1, Math.round(yuan / 100)) * HUNDRED : Math.max(1, Math.round(yuan * 100));
          this.add(rng.range(hours[0], hours[1] - 1), cents, ch, IN, everyday(rng, ch, false, this.people));
        }
      }
      if (this.count > 0) {
        this.apply(i, cur);
        if (this.ledger.full) await this.ledger.drain();
      }
    }
  }

  /** Book the pending transactions of customer i in time order, clipping what would overdraw. */
  private apply(i: number, cur: number): void {
    const a = this.s.accounts;
    const n = this.count;
    const order = this.bOrder;
    for (let x = 0; x < n; x++) {
      // insertion sort by time (n is small)
      let y = x;
      const sec = this.bSec[x] ?? 0;
      while (y > 0 && (this.bSec[order[y - 1] ?? 0] ?? 0) > sec) {
        order[y] = order[y - 1] ?? 0;
        y--;
      }
      order[y] = x;
    }
    const id = i;
    for (let x = 0; x < n; x++) {
      const j = order[x] ?? 0;
      const type = this.bType[j] ?? IN;
      let cents = this.bCents[j] ?? 0;
      const sec = this.bSec[j] ?? 0;
      const ch = this.bChannel[j] ?? CH_OTHER;
      const bal = a.balance[cur] ?? 0;
      if (type === IN) {
        a.balance[cur] = bal + cents;
        this.ledger.emit(cur, id, sec, cents, ch, this.bParty[j] ?? EMPTY);
      } else if (type === OUT_CLIP || type === OUT_ATM) {
        if (-cents > bal) {
          cents = type === OUT_ATM ? -Math.floor(bal / HUNDRED) * HUNDRED : -bal;
          if (cents > -1000) continue; // under 10 yuan: nothing to take
        }
        a.balance[cur] = bal + cents;
        this.ledger.emit(cur, id, sec, cents, ch, this.bParty[j] ?? EMPTY);
      } else {
        this.fund(i, cur, id, sec, type === FUND_SELL, Math.abs(cents));
      }
    }
  }

  /** Buy into or redeem from the customer's first fund. */
  private fund(i: number, cur: number, id: number, sec: number, sell: boolean, cents: number): void {
    const a = this.s.accounts;
    const first = this.s.customers.firstAccount[i] ?? 0;
    let fund = -1;
    for (let k = first; k < cur; k++) {
      if (a.kind[k] === KIND.fund && a.status[k] === STATUS_ACTIVE) {
        fund = k;
        break;
      }
    }
    if (fund < 0) return;
    const name = product(a.product[fund] ?? 0).name;
    if (sell) {
      const amount = Math.min(cents, a.balance[fund] ?? 0);
      if (amount < 1000) return;
      a.balance[fund] = (a.balance[fund] ?? 0) - amount;
      this.ledger.emit(fund, id, sec, -amount, CH_MOBILE, T.fundRedeemed);
      a.balance[cur] = (a.balance[cur] ?? 0) + amount;
      this.ledger.emit(cur, id, sec, amount, CH_MOBILE, this.ledger.text('基金赎回-' + name));
    } else {
      const amount = Math.min(cents, Math.floor((a.balance[cur] ?? 0) / 100) * 100);
      if (amount < 100_000) return;
      a.balance[cur] = (a.balance[cur] ?? 0) - amount;
      this.ledger.emit(cur, id, sec, -amount, CH_MOBILE, this.ledger.text('基金申购-' + name));
      a.balance[fund] = (a.balance[fund] ?? 0) + amount;
      this.ledger.emit(fund, id, sec, amount, CH_MOBILE, T.fundBought);
    }
  }
}
