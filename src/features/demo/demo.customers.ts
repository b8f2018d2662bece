// Customers: a static profile drawn from the customer's own random stream (so it can be drawn
// again when a row is written, instead of being kept in memory), and the customers.csv row.
import { Rng, Weighted } from './demo.random.js';
import { daysFromCivil, civilFromDays, formatDate } from './demo.dates.js';
import {
  OCCUPATIONS,
  OCCUPATION_INDEX,
  chineseAddress,
  chineseName,
  idNumber,
  mobileNumber,
  occupationFor,
} from './demo.people.js';
import type { BankNetwork } from './demo.bank.js';
import { csvField } from './demo.csv-writer.js';
import {
  type CustomerStore,
  P_DO_NOT_DISTURB,
  P_HIDE_ADDRESS,
  P_HIDE_BIRTH,
  P_HIDE_GENDER,
  P_HIDE_PHONE,
  P_MALE,
  P_NO_MARKETING,
} from './demo.state.js';

/** Random stream ids: one purpose each, so streams never overlap. */
export const STREAM = {
  profile: 1,
  identity: 2,
  phone: 3,
  address: 4,
  portfolio: 5,
  day: 6,
  system: 7,
} as const;

/** AUM band lower bounds in cents: below, band_1 … band_5, and a cap for drawing band_5. */
export const BAND_FLOOR = [0, 100_000, 5_000_000, 20_000_000, 50_000_000, 300_000_000] as const;
const BAND_CAP = 4_000_000_000;
const BAND_MIX = new Weighted([0, 1, 2, 3, 4, 5], [8, 52, 22, 10, 7, 1]);
/** Mean and spread of age by band: the richer, the older. */
const AGE_BY_BAND: readonly (readonly [number, number])[] = [[30, 14], [42, 15], [50, 14], [54, 13], [56, 12], [55, 11]];
const INCOME_FACTOR = [0.7, 0.9, 1.15, 1.5, 2.2, 4.0];
const UNASSESSED = [0.45, 0.25, 0.08, 0.04, 0.02, 0.02];
const RISK_OLD = new Weighted([1, 2, 3, 4, 5], [30, 45, 20, 5, 0]);
const RISK_RICH = new Weighted([1, 2, 3, 4, 5], [5, 25, 40, 22, 8]);
const RISK_USUAL = new Weighted([1, 2, 3, 4, 5], [10, 35, 35, 15, 5]);
const PAYDAYS = [5, 10, 10, 15, 15, 20, 25];
export const EMPLOYERS: readonly string[] = [
  '杭州海康威视数字技术股份有限公司', '浙江吉利控股集团有限公司', '杭州娃哈哈集团有限公司', '浙江大学', '杭州市第一人民医院',
  '杭州市西湖区教育局', '浙江省人民医院', '杭州银江科技有限公司', '杭州市上城区人民政府', '浙江物产中大集团',
  '杭州老板电器股份有限公司', '万向集团公司', '杭州华立科技有限公司', '浙江新华书店集团', '杭州地铁集团有限公司',
  '杭州公交集团', '浙江移动杭州分公司', '杭州萧山国际机场有限公司', '浙江顺丰速运有限公司', '杭州联华华商集团',
  '杭州市拱墅区人民政府', '杭州师范大学', '浙江工业大学', '杭州西子电梯有限公司', '浙江农林大学',
  '杭州市余杭区卫生健康局', '杭州滨江房产集团', '浙江中控技术股份有限公司', '杭州士兰微电子', '杭州市钱塘区城管局',
];

export interface Profile {
  male: boolean;
  hideGender: boolean;
  birthDay: number;
  hideBirth: boolean;
  age: number;
  band: number;
  aumCents: number;
  outlet: number;
  openedDay: number;
  occupation: number;
  /** yuan; -1 when unknown */
  income: number;
  /** 0 = not assessed, 1…5 = C1…C5 */
  risk: number;
  doNotDisturb: boolean;
  marketingConsent: boolean;
  hidePhone: boolean;
  hideAddress: boolean;
  isNew: boolean;
  boundary: boolean;
  /** Relative activity (mean ≈ 1 before normalisation). */
  activity: number;
  education: boolean;
  payday: number;
  employer: number;
}

export interface CustomerContext {
  seed: number;
  startDay: number;
  endDay: number;
  network: BankNetwork;
  outletPick: Weighted<number>;
  /** Customers pinned on a band boundary: index → AUM in cents. */
  boundary: ReadonlyMap<number, number>;
  /** Share of customers who join inside the window. */
  newShare: number;
}

/** Spread a few customers over the population whose AUM sits exactly on (or 1 fen under) a band floor. */
export function pickBoundaryCustomers(n: number): Map<number, number> {
  const values: number[] = [];
  const perValue = Math.max(1, Math.min(10, Math.round(n / 2500)));
  for (const floor of BAND_FLOOR.slice(1)) {
    for (let k = 0; k < perValue; k++) values.push(floor);
    values.push(floor - 1);
  }
  const map = new Map<number, number>();
  if (n < values.length * 4) return map;
  values.forEach((v, j) => map.set(Math.floor(((j + 0.5) * n) / values.length), v));
  return map;
}

function drawAum(rng: Rng, band: number): number {
  if (band === 0) {
    return rng.chance(0.15) ? rng.int(1000) : Math.round(rng.logUniform(1000, 100_000));
  }
  const lo = BAND_FLOOR[band] ?? 0;
  const hi = BAND_FLOOR[band + 1] ?? BAND_CAP;
  return Math.min(hi - 1, Math.round(rng.logUniform(lo, hi)));
}

export function bandOf(aumCents: number): number {
  let b = 0;
  for (let i = 1; i < BAND_FLOOR.length; i++) if (aumCents >= (BAND_FLOOR[i] ?? 0)) b = i;
  return b;
}

const RETIRED = OCCUPATION_INDEX.get('退休') ?? 0;
const STUDENT = OCCUPATION_INDEX.get('学生') ?? 1;

export function drawProfile(ctx: CustomerContext, i: number, rng: Rng): Profile {
  rng.reseed(ctx.seed, STREAM.profile, i);
  const pinned = ctx.boundary.get(i);
  const boundary = pinned !== undefined;
  const band = boundary ? bandOf(pinned) : BAND_MIX.draw(rng);
  const aumCents = pinned ?? drawAum(rng, band);

  const [mu, sd] = AGE_BY_BAND[band] ?? [45, 15];
  const age = Math.max(18, Math.min(85, Math.round(mu + sd * rng.normal())));
  const end = civilFromDays(ctx.endDay);
  // born so that the age on the end date is `age`, any day of the year
  const birthDay = daysFromCivil(end.y - age - 1, end.m, end.d) + 1 + rng.int(365);
  const male = rng.chance(age >= 70 ? 0.45 : 0.5);
  const occupation = occupationFor(rng, age, band >= 3);
  const occ = OCCUPATIONS[occupation];
  let income = -1;
  if (!rng.chance(0.015)) {
    const median = (occ?.income ?? 60000) * (INCOME_FACTOR[band] ?? 1);
    income = median === 0 ? 0 : Math.max(0, Math.round(rng.logNormal(median, 0.45) / 1000) * 1000);
  }
  let risk = 0;
  if (!rng.chance(UNASSESSED[band] ?? 0.2)) {
    risk = (age >= 65 ? RISK_OLD : band >= 3 ? RISK_RICH : RISK_USUAL).draw(rng);
  }
  const outlet = ctx.outletPick.draw(rng);
  const isNew = !boundary && rng.chance(ctx.newShare) && ctx.endDay > ctx.startDay;
  let openedDay: number;
  if (isNew) {
    openedDay = ctx.startDay + 1 + rng.int(ctx.endDay - ctx.startDay);
  } else {
    openedDay = ctx.startDay - rng.range(365, 20 * 365);
    const adult = birthDay + 16 * 365 + 4;
    if (openedDay < adult) openedDay = adult + rng.int(Math.max(1, ctx.startDay - 365 - adult));
    openedDay = Math.min(openedDay, ctx.startDay - 1);
  }
  const activityBase = age < 30 ? 1.3 : age < 50 ? 1.15 : age < 65 ? 0.85 : 0.6;
  let activity = rng.exp1() * activityBase * (band === 0 ? 0.5 : 1);
  if (rng.chance(0.1)) activity *= 0.1; // dormant
  const salariedOcc = occ?.salaried === true;
  const payday =
    (salariedOcc && band >= 1 && rng.chance(0.6)) || (occupation === RETIRED && rng.chance(0.7)) ? rng.pick(PAYDAYS) : 0;
  return {
    male,
    hideGender: rng.chance(0.005),
    birthDay,
    hideBirth: rng.chance(0.004),
    age,
    band,
    aumCents,
    outlet,
    openedDay,
    occupation,
    income: occupation === STUDENT && income > 20000 ? 12000 : income,
    risk,
    doNotDisturb: rng.chance(0.03),
    marketingConsent: !rng.chance(0.1),
    hidePhone: rng.chance(0.008),
    hideAddress: rng.chance(0.01),
    isNew,
    boundary,
    activity: boundary ? 0 : activity,
    education: age >= 35 && age <= 50 && band >= 1 && rng.chance(0.35),
    payday: boundary ? 0 : payday,
    employer: rng.int(EMPLOYERS.length),
  };
}

export function customerId(i: number): string {
  return 'C' + String(1_000_000_000 + i + 1).slice(1);
}

export const CUSTOMER_HEADER = [
  'customer_id', 'name', 'gender', 'birth_date', 'id_number', 'phone', 'branch_id', 'opened_on', 'address',
  'occupation', 'annual_income', 'risk_level', 'do_not_disturb', 'marketing_consent', 'risk_assessed_on',
] as const;

/**
 * The day of a customer's last risk assessment (the feed's optional risk_assessed_on): up to a
 * year and a half before the demo's first day, never before the account was opened, so about a
 * third of the assessments have lapsed (older than 365 days). A hash of the customer, not a draw of the random
 * streams, so every other column stays as it was. Empty for a customer never assessed.
 */
export function riskAssessedOn(ctx: CustomerContext, i: number, openedDay: number, risk: number): string {
  if (risk <= 0) return '';
  const h = (Math.imul(i + 1, 2654435761) ^ Math.imul(ctx.seed + 1, 40503)) >>> 0;
  return formatDate(Math.max(openedDay, ctx.startDay - (h % 548)));
}

export function phoneOf(seed: number, i: number, version: number, rng: Rng): string {
  return mobileNumber(rng.reseed(seed, STREAM.phone, i, version));
}

export function addressOf(seed: number, i: number, version: number, rng: Rng): string {
  return chineseAddress(rng.reseed(seed, STREAM.address, i, version));
}

/** The customers.csv line of customer i as it stands now (profile changes applied). */
export function customerLine(ctx: CustomerContext, store: CustomerStore, i: number, rng: Rng): string {
  const bits = store.profile[i] ?? 0;
  const male = (bits & P_MALE) !== 0;
  const birthDay = store.birthDay[i] ?? 0;
  rng.reseed(ctx.seed, STREAM.identity, i);
  const name = chineseName(rng, male, store.age[i] ?? 40);
  const id = idNumber(rng, birthDay, male);
  const phone = (bits & P_HIDE_PHONE) !== 0 ? '' : phoneOf(ctx.seed, i, store.phoneVer[i] ?? 0, rng);
  const address = (bits & P_HIDE_ADDRESS) !== 0 ? '' : addressOf(ctx.seed, i, store.addrVer[i] ?? 0, rng);
  const outlet = ctx.network.outlets[store.outlet[i] ?? 0]?.id ?? '';
  const risk = store.risk[i] ?? 0;
  const income = store.income[i] ?? -1;
  return (
    customerId(i) + ',' + name + ',' +
    ((bits & P_HIDE_GENDER) !== 0 ? '' : male ? 'M' : 'F') + ',' +
    ((bits & P_HIDE_BIRTH) !== 0 ? '' : formatDate(birthDay)) + ',' +
    id + ',' + phone + ',' + outlet + ',' + formatDate(store.openedDay[i] ?? 0) + ',' +
    csvField(address) + ',' +
    (OCCUPATIONS[store.occupation[i] ?? 0]?.name ?? '') + ',' +
    (income < 0 ? '' : `${income}.00`) + ',' +
    (risk > 0 ? `C${risk}` : '') + ',' +
    ((bits & P_DO_NOT_DISTURB) !== 0 ? 'true' : 'false') + ',' +
    ((bits & P_NO_MARKETING) !== 0 ? 'false' : 'true') + ',' +
    riskAssessedOn(ctx, i, store.openedDay[i] ?? 0, risk) + '\n'
  );
}
