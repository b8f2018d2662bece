// What everyday money movements look like: channels by age, counterparties by channel, and the
// text of the system transactions. All counterparty strings are CSV-escaped once, here.
import { Rng } from './demo.random.js';
import { csvField, utf8 } from './demo.csv-writer.js';
import { counterpartyPerson } from './demo.people.js';

export const CHANNELS = ['counter', 'atm', 'mobile', 'online', 'pos', 'other'] as const;
export const CHANNEL_BYTES: readonly Uint8Array[] = CHANNELS.map(utf8);
export const CH_COUNTER = 0;
export const CH_ATM = 1;
export const CH_MOBILE = 2;
export const CH_ONLINE = 3;
export const CH_POS = 4;
export const CH_OTHER = 5;

/** Cumulative channel weights (counter, atm, mobile, online, pos, other), by age group. */
function cumulative(w: readonly number[]): Float64Array {
  const c = new Float64Array(w.length);
  const total = w.reduce((a, b) => a + b, 0);
  let s = 0;
  w.forEach((x, i) => {
    s += x / total;
    c[i] = s;
  });
  c[w.length - 1] = 1;
  return c;
}

export function ageGroup(age: number): number {
  return age < 30 ? 0 : age < 50 ? 1 : age < 65 ? 2 : 3;
}

export const OUT_CHANNELS: readonly Float64Array[] = [
  cumulative([1, 5, 40, 25, 27, 2]),
  cumulative([4, 7, 35, 22, 30, 2]),
  cumulative([14, 14, 28, 12, 30, 2]),
  cumulative([35, 20, 15, 5, 23, 2]),
];
export const IN_CHANNELS: readonly Float64Array[] = [
  cumulative([2, 2, 80, 12, 0, 4]),
  cumulative([8, 4, 70, 12, 0, 6]),
  cumulative([25, 8, 55, 6, 0, 6]),
  cumulative([45, 10, 35, 5, 0, 5]),
];

export function drawChannel(rng: Rng, table: Float64Array | undefined): number {
  if (!table) return CH_MOBILE;
  const u = rng.float();
  for (let i = 0; i < table.length; i++) if (u < (table[i] ?? 1)) return i;
  return table.length - 1;
}

/** Median amount of an everyday outflow, as a multiple of the customer's amount scale, by channel. */
export const OUT_SIZE = [4, 3, 1.2, 1, 0.8, 0.05];

/** Seconds of the day an everyday transaction may fall in, by channel: [from, to). */
export const HOURS: readonly (readonly [number, number])[] = [
  [9 * 3600, 17 * 3600],
  [7 * 3600, 23 * 3600],
  [7 * 3600, 24 * 3600],
  [7 * 3600, 24 * 3600],
  [8 * 3600, 22 * 3600],
  [7 * 3600, 20 * 3600],
];

/** CSV-escaped and UTF-8 encoded once. */
const esc = (xs: readonly string[]): Uint8Array[] => xs.map((x) => utf8(csvField(x)));

/** One counterparty text, escaped and encoded. */
export function party(text: string): Uint8Array {
  return utf8(csvField(text));
}

const POS_MERCHANTS = esc([
  '华润万家', '永辉超市', '物美超市', '沃尔玛', '家乐福', '大润发', '盒马鲜生', '联华超市', '世纪联华', '7-11便利店',
  '全家便利店', '罗森便利店', '中石化加油站', '中石油加油站', '星巴克', '瑞幸咖啡', '肯德基', '麦当劳', '海底捞',
  '外婆家', '绿茶餐厅', '知味观', '屈臣氏', '优衣库', '名创优品', '老百姓大药房', '海王星辰药房', '百果园',
  '银泰百货', '杭州大厦', '苏宁易购', '国美电器', '周大福', '老凤祥', '滴滴加油', '西湖景区售票处',
  'Apple Store, 杭州万象城', '"老字号"胡庆余堂', 'UNIQLO HANGZHOU, KERRY CENTRE',
]);
const ONLINE_MERCHANTS = esc([
  '京东商城', '淘宝', '天猫', '拼多多', '美团外卖', '饿了么', '携程旅行', '12306铁路客服', '中国电信话费', '中国移动话费',
  '国网浙江电力电费', '杭州水务水费', '杭州燃气', '滴滴出行', '唯品会', '抖音电商', '网易严选', '爱奇艺会员', '腾讯视频会员',
  '哈啰出行', '高德打车', '去哪儿网', '飞猪旅行', '小米商城', '得物',
]);
const MOBILE_OUT = esc([
  '微信支付-美团', '微信支付-拼多多', '支付宝-淘宝', '支付宝-饿了么', '支付宝-盒马', '微信红包', '手机充值',
  '微信转账', '支付宝转账', '云闪付-菜市场', '微信支付-菜鸟驿站', '支付宝-杭州公交', '微信支付-杭州地铁',
]);
const COUNTER_OUT = esc(['现金支取', '柜面转账', '代缴水电费', '汇款', '现金支取']);
const OTHER_OUT = esc(['短信通知服务费', '账户管理费', '借记卡年费', '跨行转账手续费']);
const ATM_OUT = esc(['', '', 'ATM取款', '跨行ATM取款']);
const MOBILE_IN = esc(['微信零钱提现', '支付宝余额提现', '他行转入', '财付通-退款', '支付宝-退款']);
const ONLINE_IN = esc(['京东退款', '淘宝退款', '网银转入', '携程退款']);
const COUNTER_IN = esc(['现金存入', '现金存入', '柜面转账存入']);
const ATM_IN = esc(['存款机存入', '自助设备存款']);
const OTHER_IN = esc(['他行转入', '医保报销款', '个税退税']);

export const LARGE_IN = esc(['房屋出售款', '拆迁补偿款', '银证转账转入', '年终奖金', '他行转入', '企业分红款', '遗产继承款', '经营回款']);
export const LARGE_OUT = esc(['购房首付款', '购车款', '银证转账转出', '装修工程款', '他行转出', '借款给亲友', '生意货款']);
export const SCHOOL_FEES = esc([
  '杭州市学军中学学费', '杭州外国语学校学费', '浙江大学学费', '杭州第二中学学费', '学而思培训学费', '新东方培训学费',
  '杭州市文澜中学学费', '浙江工业大学学费', '钢琴培训学费',
]);
export const STUDY_ABROAD = esc(['英国留学学费汇款', '新东方前途出国留学服务费', '澳大利亚留学生活费', '美国留学学费', '留学保证金']);
export const AFTER_PAYDAY = esc(['信用卡还款', '信用卡还款', '房租', '转账给家人', '花呗还款']);
export const PENSION = party('养老金-杭州市社会保险基金');
export const INTEREST = party('活期结息');

/** Transfer counterparties with a person's name, e.g. 转账-张伟. */
export class PeoplePool {
  private readonly transfers: Uint8Array[];
  private readonly counter: Uint8Array[];

  constructor(seed: number, size = 2048) {
    const rng = new Rng(seed, 0x5eed, 0x9e0);
    const names = Array.from({ length: size }, () => counterpartyPerson(rng));
    this.transfers = names.map((n) => party('转账-' + n));
    this.counter = names.map((n) => party('柜面转账-' + n));
  }

  transfer(rng: Rng): Uint8Array {
    return rng.pick(this.transfers);
  }

  atCounter(rng: Rng): Uint8Array {
    return rng.pick(this.counter);
  }
}

/** An everyday counterparty for a transaction on this channel and direction. */
export function everyday(rng: Rng, channel: number, outflow: boolean, people: PeoplePool): Uint8Array {
  if (outflow) {
    switch (channel) {
      case CH_POS:
        return rng.pick(POS_MERCHANTS);
      case CH_ONLINE:
        return rng.pick(ONLINE_MERCHANTS);
      case CH_MOBILE:
        return rng.chance(0.3) ? people.transfer(rng) : rng.pick(MOBILE_OUT);
      case CH_COUNTER:
        return rng.chance(0.3) ? people.atCounter(rng) : rng.pick(COUNTER_OUT);
      case CH_ATM:
        return rng.pick(ATM_OUT);
      default:
        return rng.pick(OTHER_OUT);
    }
  }
  switch (channel) {
    case CH_MOBILE:
      return rng.chance(0.5) ? people.transfer(rng) : rng.pick(MOBILE_IN);
    case CH_ONLINE:
      return rng.pick(ONLINE_IN);
    case CH_COUNTER:
      return rng.pick(COUNTER_IN);
    case CH_ATM:
      return rng.pick(ATM_IN);
    default:
      return rng.pick(OTHER_IN);
  }
}
