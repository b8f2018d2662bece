// The bank itself: branch network (bank → 分行 → 支行 → 网点), staff in every role, and the
// product catalogue.
import { Rng } from './demo.random.js';
import { chineseName } from './demo.people.js';

export type BranchLevel = 'bank' | 'branch' | 'sub_branch' | 'outlet';

export interface Branch {
  id: string;
  name: string;
  parentId: string;
  level: BranchLevel;
}

export type StaffRole =
  | 'branch_head'
  | 'cm_supervisor'
  | 'customer_manager'
  | 'lobby_manager'
  | 'vip_teller'
  | 'counter_teller'
  | 'lobby_assistant'
  | 'pb_dept';

export interface Staff {
  id: string;
  name: string;
  branchId: string;
  role: StaffRole;
  active: boolean;
}

export interface BankNetwork {
  branches: Branch[];
  /** The outlets (level `outlet`), in order. */
  outlets: Branch[];
  /** Relative size of each outlet (customers are spread by these weights). */
  outletWeights: number[];
  staff: Staff[];
}

export const BANK_NAME = '钱江银行';

const BRANCH_NAMES = ['城南分行', '城北分行', '城东分行'];
const SUB_BRANCH_PLACES = [
  '延安路', '文三路', '庆春路', '解放路', '凤起路', '体育场路', '莫干山路', '天目山路', '文一路', '学院路',
  '古墩路', '江南大道', '滨盛路', '钱江路', '市民街', '之江路', '湖墅路', '余杭塘路', '临平', '富阳',
  '萧山', '下沙', '九堡', '三墩', '留下', '转塘', '闲林', '良渚', '瓶窑', '塘栖', '义桥', '瓜沥', '闻堰', '勾庄',
];
const OUTLET_PLACES = [
  '翠苑', '黄龙', '西溪', '古荡', '朝晖', '采荷', '景芳', '闸弄口', '米市巷', '湖滨', '清波', '紫阳', '望江',
  '四季青', '笕桥', '彭埠', '丁桥', '半山', '康桥', '祥符', '上塘', '和睦', '大关', '小河', '蒋村', '文新',
  '北山', '灵隐', '转塘', '双浦', '西兴', '长河', '浦沿', '北干', '城厢', '新塘', '宁围', '南苑', '东湖',
  '乔司', '星桥', '白杨', '下沙', '五常', '仓前', '余杭', '中泰', '仁和', '崇贤', '东洲', '银湖', '锦城',
];
const ORDINALS = ['', '二', '三', '四', '五', '六', '七', '八', '九', '十'];

function uniqueName(base: readonly string[], n: number, suffix: string): string {
  const place = base[n % base.length] ?? '新城';
  const round = Math.floor(n / base.length);
  const ordinal = ORDINALS[round] ?? String(round + 1);
  return `${place}${ordinal}${suffix}`;
}

function branchId(n: number): string {
  return 'B' + String(n).padStart(4, '0');
}

function staffId(n: number): string {
  return 'S' + String(n).padStart(5, '0');
}

const OUTLET_ROLES: readonly (readonly [StaffRole, number, number])[] = [
  ['branch_head', 1, 1],
  ['cm_supervisor', 1, 1],
  ['customer_manager', 2, 4],
  ['lobby_manager', 1, 1],
  ['vip_teller', 1, 2],
  ['counter_teller', 2, 3],
  ['lobby_assistant', 1, 1],
];

/** Build the network and staff for a bank of about `customers` customers. */
export function buildNetwork(seed: number, customers: number): BankNetwork {
  const rng = new Rng(seed, 0xb4a7c0);
  const outletCount = Math.max(3, Math.round(customers / rng.uniform(1500, 2500)));
  const branchCount = outletCount < 6 ? 2 : rng.range(2, 3);
  const subCount = Math.min(outletCount, Math.max(branchCount, Math.round(outletCount / rng.uniform(2.5, 3.5))));

  // outlets per sub-branch: one each, the rest at random
  const outletsPerSub = new Array<number>(subCount).fill(1);
  for (let i = subCount; i < outletCount; i++) {
    const s = rng.int(subCount);
    outletsPerSub[s] = (outletsPerSub[s] ?? 1) + 1;
  }

  const branches: Branch[] = [];
  const outlets: Branch[] = [];
  const outletWeights: number[] = [];
  let nextId = 1;
  const bank: Branch = { id: branchId(nextId++), name: BANK_NAME, parentId: '', level: 'bank' };
  branches.push(bank);
  const branchNodes: Branch[] = [];
  let subIndex = 0;
  let outletIndex = 0;
  for (let b = 0; b < branchCount; b++) {
    const branch: Branch = {
      id: branchId(nextId++),
      name: BRANCH_NAMES[b] ?? `第${b + 1}分行`,
      parentId: bank.id,
      level: 'branch',
    };
    branches.push(branch);
    branchNodes.push(branch);
    // sub-branches are dealt to branches in turn
    for (let s = b; s < subCount; s += branchCount) {
      const subName = uniqueName(SUB_BRANCH_PLACES, subIndex++, '支行');
      const sub: Branch = { id: branchId(nextId++), name: subName, parentId: branch.id, level: 'sub_branch' };
      branches.push(sub);
      const n = outletsPerSub[s] ?? 1;
      for (let o = 0; o < n; o++) {
        const name = o === 0 ? `${subName}营业部` : uniqueName(OUTLET_PLACES, outletIndex++, '网点');
        const outlet: Branch = { id: branchId(nextId++), name, parentId: sub.id, level: 'outlet' };
        branches.push(outlet);
        outlets.push(outlet);
        // the sub-branch's own counter hall is usually the busiest
        outletWeights.push(rng.logNormal(o === 0 ? 1.4 : 1, 0.35));
      }
    }
  }

  const staff: Staff[] = [];
  let nextStaff = 1;
  const hire = (branchIdValue: string, role: StaffRole, active: boolean): void => {
    const male = rng.chance(role === 'lobby_assistant' || role.endsWith('teller') ? 0.3 : 0.5);
    staff.push({ id: staffId(nextStaff++), name: chineseName(rng, male, rng.range(24, 56)), branchId: branchIdValue, role, active });
  };
  // private-banking department at head office and in each branch
  for (let i = rng.range(2, 4); i > 0; i--) hire(bank.id, 'pb_dept', true);
  for (const branch of branchNodes) for (let i = rng.range(1, 2); i > 0; i--) hire(branch.id, 'pb_dept', true);
  for (const outlet of outlets) {
    for (const [role, lo, hi] of OUTLET_ROLES) for (let i = rng.range(lo, hi); i > 0; i--) hire(outlet.id, role, true);
    // someone who left or is on long leave
    if (rng.chance(0.3)) hire(outlet.id, rng.chance(0.6) ? 'counter_teller' : 'customer_manager', false);
  }
  return { branches, outlets, outletWeights, staff };
}

// ---------------------------------------------------------------- products

export type AccountKind = 'current' | 'time_deposit' | 'wealth' | 'fund' | 'insurance' | 'loan';
export const KIND_NAMES: readonly AccountKind[] = ['current', 'time_deposit', 'wealth', 'fund', 'insurance', 'loan'];
export const KIND = { current: 0, time_deposit: 1, wealth: 2, fund: 3, insurance: 4, loan: 5 } as const;

export interface Product {
  code: string;
  name: string;
  kind: AccountKind;
  /** 1…5 for R1…R5 */
  risk: number;
  /** yuan */
  minAmount: number;
  /** Term in months (time deposits, loans) or days (wealth); 0 when open-ended. */
  termMonths: number;
  termDays: number;
  /** Annual rate in per cent: interest, expected yield, or loan rate. */
  rate: number;
}

const p = (
  code: string,
  name: string,
  kind: AccountKind,
  risk: number,
  minAmount: number,
  termMonths: number,
  termDays: number,
  rate: number,
): Product => ({ code, name, kind, risk, minAmount, termMonths, termDays, rate });

export const PRODUCTS: readonly Product[] = [
  p('CA001', '个人活期储蓄', 'current', 1, 0, 0, 0, 0.1),
  p('CA002', '薪享通代发工资卡', 'current', 1, 0, 0, 0, 0.1),
  p('TD003M', '整存整取三个月', 'time_deposit', 1, 50, 3, 0, 0.95),
  p('TD006M', '整存整取六个月', 'time_deposit', 1, 50, 6, 0, 1.15),
  p('TD001Y', '整存整取一年', 'time_deposit', 1, 50, 12, 0, 1.3),
  p('TD002Y', '整存整取二年', 'time_deposit', 1, 50, 24, 0, 1.4),
  p('TD003Y', '整存整取三年', 'time_deposit', 1, 50, 36, 0, 1.75),
  p('TD005Y', '整存整取五年', 'time_deposit', 1, 50, 60, 0, 1.8),
  p('LCD003Y', '个人大额存单三年期', 'time_deposit', 1, 200000, 36, 0, 2.0),
  p('WM0R1', '钱江天天盈现金管理', 'wealth', 1, 1, 0, 0, 1.7),
  p('WM035R2', '稳盈35天持有期', 'wealth', 2, 10000, 0, 35, 2.1),
  p('WM091R2', '稳盈91天', 'wealth', 2, 10000, 0, 91, 2.4),
  p('WM182R2', '稳盈半年享', 'wealth', 2, 10000, 0, 182, 2.6),
  p('WM365R3', '睿享一年期', 'wealth', 3, 10000, 0, 365, 3.0),
  p('WM270R3', '睿享270天', 'wealth', 3, 10000, 0, 270, 2.8),
  p('WM730R4', '权益增强两年期', 'wealth', 4, 50000, 0, 730, 3.6),
  p('FD01R2', '钱江短债债券A', 'fund', 2, 1000, 0, 0, 2.5),
  p('FD02R3', '稳健配置混合', 'fund', 3, 1000, 0, 0, 3.5),
  p('FD03R3', '养老目标2040三年持有', 'fund', 3, 1000, 0, 0, 4.0),
  p('FD04R4', '沪深300指数增强', 'fund', 4, 1000, 0, 0, 5.0),
  p('FD05R4', '成长精选混合', 'fund', 4, 1000, 0, 0, 5.5),
  p('FD06R5', '新能源产业股票', 'fund', 5, 1000, 0, 0, 7.0),
  p('INS01', '鑫享年年年金保险', 'insurance', 2, 10000, 0, 0, 2.5),
  p('INS02', '增额终身寿险', 'insurance', 2, 20000, 0, 0, 2.8),
  p('INS03', '安康两全保险', 'insurance', 1, 5000, 0, 0, 2.0),
  p('LN01', '个人住房贷款', 'loan', 2, 100000, 300, 0, 3.6),
  p('LN02', '个人消费贷款', 'loan', 3, 10000, 36, 0, 4.2),
  p('LN03', '个人经营贷款', 'loan', 3, 50000, 36, 0, 3.9),
  p('LN04', '个人汽车贷款', 'loan', 2, 30000, 60, 0, 4.5),
];

export function productIndex(code: string): number {
  const i = PRODUCTS.findIndex((x) => x.code === code);
  if (i < 0) throw new Error(`unknown product ${code}`);
  return i;
}

export function product(i: number): Product {
  const x = PRODUCTS[i];
  if (!x) throw new Error(`no product #${i}`);
  return x;
}
