// The bank's own bookings of a business day, before customers act: first deposits of new
// customers, maturities of wealth products and time deposits (about half bought again a few
// days later), loan instalments (with arrears and cures), purchases, card cancellations.
import { Rng } from './demo.random.js';
import { addMonths, civilFromDays } from './demo.dates.js';
import { KIND, product } from './demo.bank.js';
import { STREAM } from './demo.customers.js';
import { CARD_CANCELLED, NO_DATE, STATUS_ACTIVE, STATUS_CLOSED } from './demo.state.js';
import type { Schedule, Stores } from './demo.portfolio.js';
import { CH_COUNTER, CH_MOBILE, CH_OTHER, party } from './demo.flows.js';
import type { Ledger } from './demo.ledger.js';

const T = {
  opening: party('开户存入'),
  wealthRedeemed: party('理财到期兑付'),
  depositWithdrawn: party('定期到期支取'),
  wealthBought: party('理财申购'),
  deposited: party('定期存入'),
  topUp: party('他行转入'),
  loanRepaid: party('贷款还款'),
};
const HUNDRED = 10_000;

/**
 * Times keep a replay in booked_at order free of overdrafts: money coming in here is booked
 * before 07:00 (maturities 01–03h, top-ups 05h), before any customer spends.
 */
export class Bookings {
  private readonly sys = new Rng();

  constructor(
    private readonly seed: number,
    private readonly s: Stores,
    private readonly schedule: Schedule,
    private readonly ledger: Ledger,
    private readonly endDay: number,
  ) {}

  async run(day: number): Promise<void> {
    this.sys.reseed(this.seed, STREAM.system, day);
    await this.opens(day);
    await this.maturities(day);
    await this.loans(day);
    await this.purchases(day);
    for (const c of this.schedule.slot(this.schedule.cardCancels, day) ?? []) this.s.cards.status[c] = CARD_CANCELLED;
  }

  private credit(a: number, cents: number): void {
    this.s.accounts.balance[a] = (this.s.accounts.balance[a] ?? 0) + cents;
  }

  private async opens(day: number): Promise<void> {
    const cs = this.s.customers;
    for (const i of this.schedule.slot(this.schedule.opens, day) ?? []) {
      const cur = cs.currentAccount[i] ?? 0;
      const amount = cs.openingDeposit[i] ?? 0;
      this.credit(cur, amount);
      this.ledger.emit(cur, i, this.sys.range(9 * 3600, 17 * 3600 - 1), amount, CH_COUNTER, T.opening);
      if (this.ledger.full) await this.ledger.drain();
    }
  }

  private async maturities(day: number): Promise<void> {
    const { accounts: a, customers: cs } = this.s;
    for (const acct of this.schedule.slot(this.schedule.maturities, day) ?? []) {
      if (a.status[acct] !== STATUS_ACTIVE) continue;
      const cust = a.cust[acct] ?? 0;
      const cur = cs.currentAccount[cust] ?? 0;
      const prod = product(a.product[acct] ?? 0);
      const principal = a.balance[acct] ?? 0;
      const years = prod.kind === 'wealth' ? prod.termDays / 365 : prod.termMonths / 12;
      const yieldCents = Math.round((principal * prod.rate * years) / 100);
      const sec = this.sys.range(3600, 3 * 3600 - 1);
      const id = cust;
      const wealth = prod.kind === 'wealth';
      a.balance[acct] = 0;
      a.status[acct] = STATUS_CLOSED;
      this.ledger.emit(acct, id, sec, -principal, CH_OTHER, wealth ? T.wealthRedeemed : T.depositWithdrawn);
      this.credit(cur, principal + yieldCents);
      this.ledger.emit(cur, id, sec, principal + yieldCents, CH_OTHER, this.ledger.text((wealth ? '理财到期-' : '定期到期转活期-') + prod.name));
      if (this.sys.chance(0.5)) {
        this.schedule.purchase(day + this.sys.range(1, 5), cust, a.product[acct] ?? 0, Math.floor((principal + yieldCents) / HUNDRED) * HUNDRED);
      }
      if (this.ledger.full) await this.ledger.drain();
    }
  }

  private async purchases(day: number): Promise<void> {
    const { accounts: a, customers: cs } = this.s;
    const list = this.schedule.slot(this.schedule.purchases, day) ?? [];
    for (let k = 0; k + 2 < list.length; k += 3) {
      const cust = list[k] ?? 0;
      const prodIdx = list[k + 1] ?? 0;
      const prod = product(prodIdx);
      const cur = cs.currentAccount[cust] ?? 0;
      const amount = Math.min(list[k + 2] ?? 0, Math.floor((a.balance[cur] ?? 0) / HUNDRED) * HUNDRED);
      if (amount <= 0 || amount < prod.minAmount * 100) continue;
      const wealth = prod.kind === 'wealth';
      const matures = wealth ? (prod.termDays > 0 ? day + prod.termDays : NO_DATE) : addMonths(day, prod.termMonths);
      const acct = a.add(cust, wealth ? KIND.wealth : KIND.time_deposit, prodIdx, 0, day, matures, STATUS_ACTIVE);
      if (matures !== NO_DATE && matures <= this.endDay) this.schedule.slot(this.schedule.maturities, matures)?.push(acct);
      const channel = (cs.age[cust] ?? 40) >= 60 || this.sys.chance(0.3) ? CH_COUNTER : CH_MOBILE;
      const sec = this.sys.range(9 * 3600, 17 * 3600 - 1);
      const id = cust;
      a.balance[cur] = (a.balance[cur] ?? 0) - amount;
      this.ledger.emit(cur, id, sec, -amount, channel, this.ledger.text((wealth ? '购买理财-' : '转存定期-') + prod.name));
      a.balance[acct] = amount;
      this.ledger.emit(acct, id, sec, amount, channel, wealth ? T.wealthBought : T.deposited);
      if (this.ledger.full) await this.ledger.drain();
    }
  }

  private async loans(day: number): Promise<void> {
    const { loans: l, accounts: a, customers: cs } = this.s;
    const dom = civilFromDays(day).d;
    const sys = this.sys;
    for (let k = 0; k < l.size; k++) {
      const out = l.outstanding[k] ?? 0;
      if (out <= 0) continue;
      let overdue = l.overdue[k] ?? 0;
      const due = dom === l.payDom[k];
      let pay = 0;
      if (overdue > 0) {
        overdue++;
        if (due) l.missed[k] = Math.min(255, (l.missed[k] ?? 0) + 1);
        if (sys.chance(overdue < 90 ? 0.02 : 0.003)) pay = l.missed[k] ?? 1;
      } else if (due) {
        if (sys.chance(0.015)) {
          overdue = 1;
          l.missed[k] = 1;
        } else {
          pay = 1;
        }
      }
      l.overdue[k] = overdue;
      if (pay === 0) continue;
      const prod = product(l.product[k] ?? 0);
      const part = Math.round((l.principal[k] ?? 0) / (l.termMonths[k] ?? 1));
      const principalPaid = Math.min(out, part * pay);
      const interest = Math.round((out * prod.rate * pay) / 1200);
      const instalment = principalPaid + interest;
      const cust = l.cust[k] ?? 0;
      const cur = cs.currentAccount[cust] ?? 0;
      const id = cust;
      const bal = a.balance[cur] ?? 0;
      if (bal < instalment) {
        // the customer tops the account up from elsewhere first
        const topUp = Math.ceil((instalment - bal) / HUNDRED) * HUNDRED + sys.int(5) * HUNDRED;
        this.credit(cur, topUp);
        this.ledger.emit(cur, id, sys.range(5 * 3600, 5 * 3600 + 1799), topUp, CH_MOBILE, T.topUp);
      }
      const sec = sys.range(6 * 3600, 7 * 3600 - 1);
      this.credit(cur, -instalment);
      this.ledger.emit(cur, id, sec, -instalment, CH_OTHER, this.ledger.text('贷款还款-' + prod.name));
      const acct = l.account[k] ?? 0;
      const left = out - principalPaid;
      l.outstanding[k] = left;
      l.overdue[k] = 0;
      l.missed[k] = 0;
      a.balance[acct] = left;
      if (left <= 0) a.status[acct] = STATUS_CLOSED;
      this.ledger.emit(acct, id, sec, -principalPaid, CH_OTHER, T.loanRepaid);
      if (this.ledger.full) await this.ledger.drain();
    }
  }
}
