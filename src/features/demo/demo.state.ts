// The simulated bank's mutable state, held in typed arrays: memory grows with customers and
// accounts, never with transactions. Money is in integer cents (in Float64Array), dates are day
// numbers (Int32Array, NO_DATE when empty).

export const NO_DATE = -2147483648;
/** `out*` status value meaning "never written to a feed yet". */
export const UNWRITTEN = 255;

export const STATUS_ACTIVE = 0;
export const STATUS_CLOSED = 1;

function growInt32(a: Int32Array, n: number): Int32Array {
  const b = new Int32Array(n);
  b.set(a);
  return b;
}
function growUint8(a: Uint8Array, n: number, fill = 0): Uint8Array {
  const b = new Uint8Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}
function growFloat64(a: Float64Array, n: number): Float64Array {
  const b = new Float64Array(n);
  b.set(a);
  return b;
}

export class AccountStore {
  size = 0;
  cust: Int32Array;
  kind: Uint8Array;
  product: Uint8Array;
  balance: Float64Array;
  opened: Int32Array;
  matures: Int32Array;
  status: Uint8Array;
  /** The balance and status last written to a feed (for delta days). */
  outBalance: Float64Array;
  outStatus: Uint8Array;

  constructor(capacity: number) {
    const n = Math.max(16, capacity);
    this.cust = new Int32Array(n);
    this.kind = new Uint8Array(n);
    this.product = new Uint8Array(n);
    this.balance = new Float64Array(n);
    this.opened = new Int32Array(n);
    this.matures = new Int32Array(n);
    this.status = new Uint8Array(n);
    this.outBalance = new Float64Array(n);
    this.outStatus = new Uint8Array(n).fill(UNWRITTEN);
  }

  private grow(): void {
    const n = Math.ceil(this.cust.length * 1.5) + 16;
    this.cust = growInt32(this.cust, n);
    this.kind = growUint8(this.kind, n);
    this.product = growUint8(this.product, n);
    this.balance = growFloat64(this.balance, n);
    this.opened = growInt32(this.opened, n);
    this.matures = growInt32(this.matures, n);
    this.status = growUint8(this.status, n);
    this.outBalance = growFloat64(this.outBalance, n);
    this.outStatus = growUint8(this.outStatus, n, UNWRITTEN);
  }

  add(cust: number, kind: number, product: number, balanceCents: number, opened: number, matures: number, status: number): number {
    if (this.size === this.cust.length) this.grow();
    const a = this.size++;
    this.cust[a] = cust;
    this.kind[a] = kind;
    this.product[a] = product;
    this.balance[a] = balanceCents;
    this.opened[a] = opened;
    this.matures[a] = matures;
    this.status[a] = status;
    return a;
  }
}

export const CARD_ACTIVE = 0;
export const CARD_CANCELLED = 1;

export class CardStore {
  size = 0;
  cust: Int32Array;
  grade: Uint8Array;
  issued: Int32Array;
  status: Uint8Array;
  outStatus: Uint8Array;

  constructor(capacity: number) {
    const n = Math.max(16, capacity);
    this.cust = new Int32Array(n);
    this.grade = new Uint8Array(n);
    this.issued = new Int32Array(n);
    this.status = new Uint8Array(n);
    this.outStatus = new Uint8Array(n).fill(UNWRITTEN);
  }

  add(cust: number, grade: number, issued: number, status: number): number {
    if (this.size === this.cust.length) {
      const n = Math.ceil(this.cust.length * 1.5) + 16;
      this.cust = growInt32(this.cust, n);
      this.grade = growUint8(this.grade, n);
      this.issued = growInt32(this.issued, n);
      this.status = growUint8(this.status, n);
      this.outStatus = growUint8(this.outStatus, n, UNWRITTEN);
    }
    const c = this.size++;
    this.cust[c] = cust;
    this.grade[c] = grade;
    this.issued[c] = issued;
    this.status[c] = status;
    return c;
  }
}

export interface LoanInit {
  cust: number;
  account: number;
  product: number;
  principal: number;
  outstanding: number;
  overdue: number;
  opened: number;
  termMonths: number;
  payDom: number;
}

/** Loans are few (≈10% of customers), so a fixed capacity given up front is enough. */
export class LoanStore {
  size = 0;
  readonly cust: Int32Array;
  readonly account: Int32Array;
  readonly product: Uint8Array;
  readonly principal: Float64Array;
  readonly outstanding: Float64Array;
  readonly overdue: Int32Array;
  readonly opened: Int32Array;
  readonly termMonths: Int32Array;
  readonly payDom: Uint8Array;
  /** Instalments missed and not yet paid. */
  readonly missed: Uint8Array;
  readonly outOutstanding: Float64Array;
  readonly outOverdue: Int32Array;
  readonly written: Uint8Array;

  constructor(capacity: number) {
    const n = Math.max(16, capacity);
    this.cust = new Int32Array(n);
    this.account = new Int32Array(n);
    this.product = new Uint8Array(n);
    this.principal = new Float64Array(n);
    this.outstanding = new Float64Array(n);
    this.overdue = new Int32Array(n);
    this.opened = new Int32Array(n);
    this.termMonths = new Int32Array(n);
    this.payDom = new Uint8Array(n);
    this.missed = new Uint8Array(n);
    this.outOutstanding = new Float64Array(n);
    this.outOverdue = new Int32Array(n);
    this.written = new Uint8Array(n);
  }

  add(x: LoanInit): number {
    if (this.size === this.cust.length) throw new Error('LoanStore full');
    const l = this.size++;
    this.cust[l] = x.cust;
    this.account[l] = x.account;
    this.product[l] = x.product;
    this.principal[l] = x.principal;
    this.outstanding[l] = x.outstanding;
    this.overdue[l] = x.overdue;
    this.opened[l] = x.opened;
    this.termMonths[l] = x.termMonths;
    this.payDom[l] = x.payDom;
    this.missed[l] = x.overdue > 0 ? Math.max(1, Math.ceil(x.overdue / 30)) : 0;
    return l;
  }
}

/** Customer flags (bit set in CustomerStore.flags). */
export const F_BOUNDARY = 1; // AUM pinned on a band boundary: no activity at all
export const F_EDUCATION = 2; // pays school or study-abroad fees
export const F_PENSION = 4; // the monthly inflow is a pension, not a salary
export const F_NEW = 8; // becomes a customer inside the window
export const F_FUND = 16; // holds a fund from before the window

/** Profile bits (CustomerStore.profile), kept so rows can be written without drawing again. */
export const P_MALE = 1;
export const P_HIDE_GENDER = 2;
export const P_HIDE_BIRTH = 4;
export const P_HIDE_PHONE = 8;
export const P_HIDE_ADDRESS = 16;
export const P_DO_NOT_DISTURB = 32;
export const P_NO_MARKETING = 64;

export class CustomerStore {
  readonly n: number;
  readonly openedDay: Int32Array;
  readonly birthDay: Int32Array;
  readonly outlet: Uint16Array;
  readonly occupation: Uint8Array;
  /** yuan, -1 when unknown */
  readonly income: Int32Array;
  readonly profile: Uint8Array;
  readonly age: Uint8Array;
  readonly flags: Uint8Array;
  readonly band: Uint8Array;
  readonly risk: Uint8Array;
  readonly phoneVer: Uint8Array;
  readonly addrVer: Uint8Array;
  /** Day of the last profile change (NO_DATE if none). */
  readonly changedDay: Int32Array;
  readonly written: Uint8Array;
  readonly currentAccount: Int32Array;
  /** The customer's accounts from before the window are firstAccount … currentAccount. */
  readonly firstAccount: Int32Array;
  /** Where the current balance tends to hover (cents). */
  readonly currentTarget: Float64Array;
  /** Typical everyday transaction size (yuan). */
  readonly amountScale: Float32Array;
  /** e^(-λ) of the daily count of everyday transactions. */
  readonly expNegLambda: Float64Array;
  readonly lambda: Float32Array;
  /** Day of month the salary or pension arrives (0: not paid here). */
  readonly payday: Uint8Array;
  readonly salary: Float64Array;
  readonly employer: Uint16Array;
  /** First deposit of a customer who joins inside the window (cents). */
  readonly openingDeposit: Float64Array;

  constructor(n: number) {
    this.n = n;
    this.openedDay = new Int32Array(n);
    this.birthDay = new Int32Array(n);
    this.outlet = new Uint16Array(n);
    this.occupation = new Uint8Array(n);
    this.income = new Int32Array(n);
    this.profile = new Uint8Array(n);
    this.age = new Uint8Array(n);
    this.flags = new Uint8Array(n);
    this.band = new Uint8Array(n);
    this.risk = new Uint8Array(n);
    this.phoneVer = new Uint8Array(n);
    this.addrVer = new Uint8Array(n);
    this.changedDay = new Int32Array(n).fill(NO_DATE);
    this.written = new Uint8Array(n);
    this.currentAccount = new Int32Array(n);
    this.firstAccount = new Int32Array(n);
    this.currentTarget = new Float64Array(n);
    this.amountScale = new Float32Array(n);
    this.expNegLambda = new Float64Array(n);
    this.lambda = new Float32Array(n);
    this.payday = new Uint8Array(n);
    this.salary = new Float64Array(n);
    this.employer = new Uint16Array(n);
    this.openingDeposit = new Float64Array(n);
  }
}
