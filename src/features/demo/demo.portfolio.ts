// Each customer's holdings at the start of the window: the AUM drawn for the customer split
// over current account, time deposits, wealth products, funds and insurance by profile; cards;
// loans; and the events the window will bring (maturities, purchases, card cancellations).
import { Rng, Weighted } from './demo.random.js';
import { addMonths, civilFromDays } from './demo.dates.js';
import { KIND, PRODUCTS, product, productIndex } from './demo.bank.js';
import { OCCUPATIONS, OCCUPATION_INDEX } from './demo.people.js';
import { STREAM, type CustomerContext, type Profile } from './demo.customers.js';
import {
  type AccountStore,
  type CardStore,
  type CustomerStore,
  type LoanStore,
  CARD_ACTIVE,
  CARD_CANCELLED,
  F_BOUNDARY,
  F_EDUCATION,
  F_FUND,
  F_NEW,
  F_PENSION,
  NO_DATE,
  P_DO_NOT_DISTURB,
  P_HIDE_ADDRESS,
  P_HIDE_BIRTH,
  P_HIDE_GENDER,
  P_HIDE_PHONE,
  P_MALE,
  P_NO_MARKETING,
  STATUS_ACTIVE,
  STATUS_CLOSED,
} from './demo.state.js';

/** Things that happen on a given day of the window (index 0 = first day). */
export class Schedule {
  readonly maturities: number[][];
  /** Flat triples: customer, product, amount in cents. */
  readonly purchases: number[][];
  readonly opens: number[][];
  readonly cardCancels: number[][];

  constructor(readonly startDay: number, readonly days: number) {
    const make = (): number[][] => Array.from({ length: days }, () => []);
    this.maturities = make();
    this.purchases = make();
    this.opens = make();
    this.cardCancels = make();
  }

  /** The list for `day` when it falls inside the window. */
  slot(lists: number[][], day: number): number[] | undefined {
    return lists[day - this.startDay];
  }

  purchase(day: number, cust: number, productIdx: number, amountCents: number): boolean {
    const list = this.slot(this.purchases, day);
    if (!list) return false;
    list.push(cust, productIdx, amountCents);
    return true;
  }
}

export interface Stores {
  customers: CustomerStore;
  accounts: AccountStore;
  cards: CardStore;
  loans: LoanStore;
}

const CA001 = productIndex('CA001');
const CA002 = productIndex('CA002');
const LCD = productIndex('LCD003Y');
const WM_CASH = productIndex('WM0R1');
const TD_BY_TERM = new Weighted(
  ['TD003M', 'TD006M', 'TD001Y', 'TD002Y', 'TD003Y', 'TD005Y'].map(productIndex),
  [10, 15, 35, 10, 20, 10],
);
const WEALTH_TERM = PRODUCTS.map((x, i) => ({ x, i })).filter((e) => e.x.kind === 'wealth' && e.x.termDays > 0);
const FUNDS = PRODUCTS.map((x, i) => ({ x, i })).filter((e) => e.x.kind === 'fund');
const INSURANCE = PRODUCTS.map((x, i) => ({ x, i })).filter((e) => e.x.kind === 'insurance');
const LOAN_TYPES: readonly { code: string; lo: number; hi: number; terms: readonly number[] }[] = [
  { code: 'LN01', lo: 300_000, hi: 3_000_000, terms: [240, 300, 360] },
  { code: 'LN02', lo: 20_000, hi: 300_000, terms: [12, 24, 36, 60] },
  { code: 'LN03', lo: 100_000, hi: 2_000_000, terms: [12, 24, 36] },
  { code: 'LN04', lo: 50_000, hi: 300_000, terms: [36, 60] },
];
const LOAN_PRODUCTS = LOAN_TYPES.map((t) => productIndex(t.code));
const LOAN_MIX = new Weighted([0, 1, 2, 3], [40, 30, 15, 10]);
const LOAN_MIX_OWNER = new Weighted([0, 1, 2, 3], [40, 30, 60, 10]);
const OWNER = OCCUPATION_INDEX.get('企业主') ?? -1;
const SOLE_TRADER = OCCUPATION_INDEX.get('个体工商户') ?? -1;

/** Chance to hold time deposits, wealth, funds, insurance, by band. */
const HOLDS: readonly (readonly [number, number, number, number])[] = [
  [0, 0, 0, 0],
  [0.35, 0.08, 0.05, 0.04],
  [0.55, 0.35, 0.2, 0.12],
  [0.6, 0.6, 0.35, 0.25],
  [0.6, 0.75, 0.5, 0.35],
  [0.6, 0.85, 0.6, 0.45],
];
/** Weight range of the current account in the split, by band. */
const CURRENT_WEIGHT: readonly (readonly [number, number])[] = [[1, 1], [1.2, 3], [0.5, 1.5], [0.3, 1], [0.15, 0.6], [0.1, 0.5]];
/** Card grade standards (cents): gold, platinum, diamond. */
const GRADE_FLOOR = [0, 10_000_000, 50_000_000, 300_000_000];

const HUNDRED = 10_000; // 100 yuan in cents

function floorTo(cents: number, unit: number): number {
  return Math.floor(cents / unit) * unit;
}

function split(rng: Rng, total: number, maxParts: number, unit: number, min: number): number[] {
  const parts = total >= min * 2 ? rng.range(1, maxParts) : 1;
  if (parts === 1) return [total];
  const w = Array.from({ length: parts }, () => rng.uniform(0.5, 1.5));
  const sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => floorTo((total * x) / sum, unit)).filter((x) => x >= min);
}

export class PortfolioBuilder {
  private readonly rng = new Rng();

  constructor(
    private readonly ctx: CustomerContext,
    private readonly s: Stores,
    private readonly schedule: Schedule,
  ) {}

  /** Set up customer i (profile p): behaviour parameters, accounts, cards, loans, scheduled events. */
  build(i: number, p: Profile): void {
    const { ctx, rng } = this;
    const cs = this.s.customers;
    rng.reseed(ctx.seed, STREAM.portfolio, i);
    cs.openedDay[i] = p.openedDay;
    cs.birthDay[i] = p.birthDay;
    cs.outlet[i] = p.outlet;
    cs.occupation[i] = p.occupation;
    cs.income[i] = p.income;
    cs.profile[i] =
      (p.male ? P_MALE : 0) | (p.hideGender ? P_HIDE_GENDER : 0) | (p.hideBirth ? P_HIDE_BIRTH : 0) |
      (p.hidePhone ? P_HIDE_PHONE : 0) | (p.hideAddress ? P_HIDE_ADDRESS : 0) |
      (p.doNotDisturb ? P_DO_NOT_DISTURB : 0) | (p.marketingConsent ? 0 : P_NO_MARKETING);
    cs.age[i] = p.age;
    cs.band[i] = p.band;
    cs.risk[i] = p.risk;
    cs.employer[i] = p.employer;
    const pension = OCCUPATIONS[p.occupation]?.name === '退休';
    cs.flags[i] =
      (p.boundary ? F_BOUNDARY : 0) | (p.education ? F_EDUCATION : 0) | (pension ? F_PENSION : 0) | (p.isNew ? F_NEW : 0);
    const income = p.income > 0 ? p.income : p.income === 0 ? 30_000 : 60_000;
    if (p.payday > 0 && p.income > 0) {
      cs.payday[i] = p.payday;
      cs.salary[i] = Math.round((p.income / 12) * (pension ? 1 : 0.85) * 100);
    }

    const curProduct = cs.payday[i] !== 0 && !pension ? CA002 : CA001;
    const first = this.s.accounts.size;
    let current: number;
    if (p.isNew) {
      current = p.aumCents > 10_000 ? p.aumCents : 10_000 + rng.int(90_000);
      this.s.accounts.add(i, KIND.current, curProduct, 0, p.openedDay, NO_DATE, STATUS_ACTIVE);
      cs.openingDeposit[i] = current;
      this.schedule.slot(this.schedule.opens, p.openedDay)?.push(i);
    } else if (p.boundary) {
      current = p.aumCents;
      this.s.accounts.add(i, KIND.current, curProduct, current, p.openedDay, NO_DATE, STATUS_ACTIVE);
    } else {
      current = this.holdings(i, p, curProduct);
    }
    // every path above adds the current account last
    cs.currentAccount[i] = this.s.accounts.size - 1;
    cs.firstAccount[i] = first;
    cs.currentTarget[i] = Math.max(1000, current);
    const yuan = current / 100;
    cs.amountScale[i] = Math.max(8, Math.min(5000, Math.min(income / 300, Math.max(12, yuan * 0.025))));
    this.cards(i, p);
    if (!p.boundary && !p.isNew) this.loan(i, p);
  }

  /** Accounts of an existing customer; returns the current balance (cents). */
  private holdings(i: number, p: Profile, curProduct: number): number {
    const { rng } = this;
    const holds = HOLDS[p.band] ?? [0, 0, 0, 0];
    const older = p.age >= 55;
    const wTd = rng.chance(holds[0] * (older ? 1.3 : 1)) ? rng.uniform(0.3, 1.5) * (older ? 1.4 : 1) : 0;
    const wWealth = p.risk >= 1 && rng.chance(holds[1]) ? rng.uniform(0.3, 1.5) : 0;
    const wFund = p.risk >= 2 && rng.chance(holds[2] * (p.age < 45 ? 1.2 : 0.8)) ? rng.uniform(0.2, 1.2) : 0;
    const wIns = rng.chance(holds[3]) ? rng.uniform(0.2, 1) : 0;
    const [clo, chi] = CURRENT_WEIGHT[p.band] ?? [1, 1];
    const wCur = rng.uniform(clo, chi);
    const sum = wCur + wTd + wWealth + wFund + wIns;
    const total = p.aumCents;
    let placed = 0;

    // time deposits
    const td = floorTo((total * wTd) / sum, HUNDRED);
    if (td >= 5000) {
      for (const amount of split(rng, td, 2, HUNDRED, 5000)) {
        const prod = amount >= 20_000_000 && rng.chance(0.35) ? LCD : TD_BY_TERM.draw(rng);
        placed += this.timeDeposit(i, p, prod, amount);
      }
    }
    // wealth products
    const wealth = floorTo((total * wWealth) / sum, HUNDRED);
    if (wealth >= 1_000_000) {
      for (const amount of split(rng, wealth, p.band >= 3 ? 3 : 1, HUNDRED, 1_000_000)) {
        placed += this.wealth(i, p, amount);
      }
    } else if (wealth > 0 && rng.chance(0.5)) {
      this.s.accounts.add(i, KIND.wealth, WM_CASH, wealth, this.since(p), NO_DATE, STATUS_ACTIVE);
      placed += wealth;
    }
    // funds (market value, to the fen)
    const fund = Math.floor((total * wFund) / sum);
    if (fund >= 100_000) {
      const eligible = FUNDS.filter((f) => f.x.risk <= p.risk);
      for (const amount of split(rng, fund, 2, 1, 100_000)) {
        const f = rng.pick(eligible);
        this.s.accounts.add(i, KIND.fund, f.i, amount, this.since(p), NO_DATE, STATUS_ACTIVE);
        this.s.customers.flags[i] = (this.s.customers.flags[i] ?? 0) | F_FUND;
        placed += amount;
      }
    }
    // insurance (cash value)
    const ins = floorTo((total * wIns) / sum, HUNDRED);
    const insProducts = INSURANCE.filter((x) => x.x.minAmount * 100 <= ins);
    if (insProducts.length > 0) {
      this.s.accounts.add(i, KIND.insurance, rng.pick(insProducts).i, ins, this.since(p), NO_DATE, STATUS_ACTIVE);
      placed += ins;
    }
    const current = total - placed;
    this.s.accounts.add(i, KIND.current, curProduct, current, p.openedDay, NO_DATE, STATUS_ACTIVE);
    return current;
  }

  /** A day between the customer's first day and the start of the window. */
  private since(p: Profile): number {
    return p.openedDay + this.rng.int(Math.max(1, this.ctx.startDay - p.openedDay));
  }

  /** A time deposit that is open at the start of the window; returns the cents placed in it. */
  private timeDeposit(i: number, p: Profile, prod: number, amount: number): number {
    const { rng } = this;
    const start = this.ctx.startDay;
    const term = product(prod).termMonths;
    let opened = start - rng.int(Math.max(1, addMonths(start, term) - start));
    if (opened < p.openedDay) opened = p.openedDay + rng.int(Math.max(1, start - p.openedDay + 1));
    let matures = addMonths(opened, term);
    while (matures < start) matures = addMonths(++opened, term);
    const a = this.s.accounts.add(i, KIND.time_deposit, prod, amount, opened, matures, STATUS_ACTIVE);
    if (matures <= this.ctx.endDay) this.schedule.slot(this.schedule.maturities, matures)?.push(a);
    return amount;
  }

  /** A wealth holding; returns the cents held in wealth at the start (0 when it stays in current). */
  private wealth(i: number, p: Profile, amount: number): number {
    const { rng, ctx } = this;
    const start = ctx.startDay;
    const end = ctx.endDay;
    if (rng.chance(0.2)) {
      this.s.accounts.add(i, KIND.wealth, WM_CASH, amount, p.openedDay + rng.int(Math.max(1, start - p.openedDay)), NO_DATE, STATUS_ACTIVE);
      return amount;
    }
    const eligible = WEALTH_TERM.filter((w) => w.x.risk <= p.risk && w.x.minAmount * 100 <= amount);
    if (eligible.length === 0) {
      this.s.accounts.add(i, KIND.wealth, WM_CASH, amount, p.openedDay + rng.int(Math.max(1, start - p.openedDay)), NO_DATE, STATUS_ACTIVE);
      return amount;
    }
    const w = rng.pick(eligible);
    const t = w.x.termDays;
    // maturities mostly within 90 days either side of the end date, some later
    let opened = rng.chance(0.8) || t <= 90 ? end - 90 - t + rng.int(Math.min(181, 91 + t)) : end + 90 - t + rng.int(t - 89);
    if (opened < p.openedDay) opened = p.openedDay + rng.int(30);
    if (opened > end) return 0;
    if (opened > start) {
      // bought inside the window: the money waits in the current account until then
      this.schedule.purchase(opened, i, w.i, amount);
      return 0;
    }
    const matures = opened + t;
    if (matures >= start) {
      const a = this.s.accounts.add(i, KIND.wealth, w.i, amount, opened, matures, STATUS_ACTIVE);
      if (matures <= end) this.schedule.slot(this.schedule.maturities, matures)?.push(a);
      return amount;
    }
    // matured before the window: closed; about half was put straight back into a new one
    this.s.accounts.add(i, KIND.wealth, w.i, 0, opened, matures, STATUS_CLOSED);
    if (!rng.chance(0.5)) return 0;
    const again = matures + rng.range(1, 5);
    if (again > start) {
      this.schedule.purchase(again, i, w.i, amount);
      return 0;
    }
    if (again + t < start) return 0;
    const a = this.s.accounts.add(i, KIND.wealth, w.i, amount, again, again + t, STATUS_ACTIVE);
    if (again + t <= end) this.schedule.slot(this.schedule.maturities, again + t)?.push(a);
    return amount;
  }

  private cards(i: number, p: Profile): void {
    const { rng, ctx } = this;
    const cards = this.s.cards;
    const start = ctx.startDay;
    if (rng.chance(p.band === 0 ? 0.2 : 0.04)) return;
    let grade = 0;
    for (let g = 1; g < GRADE_FLOOR.length; g++) if (p.aumCents >= (GRADE_FLOOR[g] ?? 0)) grade = g;
    const u = rng.float();
    if (u < 0.08 && grade > 0) grade--; // not yet upgraded
    else if (u > 0.95 && grade < 3) grade++; // kept a card the balance no longer justifies
    const issued = p.isNew ? p.openedDay : p.openedDay + rng.int(Math.max(1, start - p.openedDay));
    if (!p.isNew && rng.chance(0.02)) {
      // an older card, cancelled before the window, replaced by the current one
      cards.add(i, 0, p.openedDay, CARD_CANCELLED);
    }
    const c = cards.add(i, grade, issued, CARD_ACTIVE);
    if (!p.boundary && ctx.endDay > start && rng.chance(0.0001 * (ctx.endDay - start + 1))) {
      this.schedule.slot(this.schedule.cardCancels, Math.max(issued + 1, start + 1 + rng.int(ctx.endDay - start)))?.push(c);
    }
    if (!p.isNew && rng.chance(0.07)) cards.add(i, 0, p.openedDay + rng.int(Math.max(1, start - p.openedDay)), CARD_ACTIVE);
  }

  private loan(i: number, p: Profile): void {
    const { rng, ctx } = this;
    const start = ctx.startDay;
    const chance = (p.age >= 25 && p.age <= 55 ? 0.14 : 0.05) * (p.band === 0 ? 0.3 : 1);
    if (!rng.chance(chance)) return;
    const owner = p.occupation === OWNER || p.occupation === SOLE_TRADER;
    const type = (owner ? LOAN_MIX_OWNER : LOAN_MIX).draw(rng);
    const t = LOAN_TYPES[type] ?? LOAN_TYPES[1];
    const prod = LOAN_PRODUCTS[type] ?? LOAN_PRODUCTS[1];
    if (!t || prod === undefined) return;
    const principal = Math.round(rng.logUniform(t.lo, t.hi) / 1000) * 1000 * 100;
    const term = rng.pick(t.terms);
    let opened = addMonths(start, -rng.range(1, Math.min(term - 1, 120))) - rng.int(28);
    if (opened < p.openedDay) opened = p.openedDay + rng.int(Math.max(1, start - p.openedDay));
    const o = civilFromDays(opened);
    const s = civilFromDays(start);
    const elapsed = Math.max(0, (s.y - o.y) * 12 + (s.m - o.m) - (s.d < o.d ? 1 : 0));
    const outstanding = Math.round((principal * Math.max(1, term - elapsed)) / term);
    let overdue = 0;
    if (rng.chance(0.04)) {
      const u = rng.float();
      // at most ~200 days overdue by the end of the window
      const worst = Math.max(90, 200 - (ctx.endDay - start + 1));
      overdue = u < 0.55 ? rng.range(1, 30) : u < 0.8 ? rng.range(31, 89) : rng.range(90, worst);
    }
    const account = this.s.accounts.add(i, KIND.loan, prod, outstanding, opened, addMonths(opened, term), STATUS_ACTIVE);
    this.s.loans.add({ cust: i, account, product: prod, principal, outstanding, overdue, opened, termMonths: term, payDom: Math.min(28, o.d) });
  }
}
