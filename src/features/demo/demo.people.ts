// People: Chinese names, resident ID numbers (GB 11643-1999), mobile numbers, occupations and
// addresses. The demo bank sits in Hangzhou; most customers live there, some were born elsewhere.
import { fakerZH_CN } from '@faker-js/faker';
import { idCheckDigit } from '../feed/feed.values.js';
import { Rng, Weighted } from './demo.random.js';
import { civilFromDays, pad2 } from './demo.dates.js';

// ---------------------------------------------------------------- names

/** The commonest surnames with their rough share (per cent) of the population. */
const COMMON_SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 7.1], ['李', 7.0], ['张', 6.7], ['刘', 5.4], ['陈', 4.5], ['杨', 3.1], ['黄', 2.2], ['赵', 2.2],
  ['吴', 2.0], ['周', 1.9], ['徐', 1.5], ['孙', 1.5], ['马', 1.3], ['朱', 1.3], ['胡', 1.2], ['郭', 1.1],
  ['何', 1.1], ['高', 1.0], ['林', 1.0], ['罗', 0.9], ['郑', 0.9], ['梁', 0.8], ['谢', 0.7], ['宋', 0.7],
  ['唐', 0.7], ['许', 0.6], ['韩', 0.6], ['冯', 0.6], ['邓', 0.6], ['曹', 0.6], ['彭', 0.5], ['曾', 0.5],
  ['肖', 0.5], ['田', 0.5], ['董', 0.5], ['袁', 0.4], ['潘', 0.4], ['于', 0.4], ['蒋', 0.4], ['蔡', 0.4],
  ['余', 0.4], ['杜', 0.4], ['叶', 0.4], ['程', 0.4], ['苏', 0.3], ['魏', 0.3], ['吕', 0.3], ['丁', 0.3],
  ['任', 0.3], ['沈', 0.3], ['姚', 0.3], ['卢', 0.3], ['姜', 0.3], ['崔', 0.3], ['钟', 0.3], ['谭', 0.3],
  ['陆', 0.3], ['汪', 0.3], ['范', 0.3], ['金', 0.3], ['方', 0.3], ['俞', 0.2], ['楼', 0.1], ['应', 0.1],
];

const fakerPerson = fakerZH_CN.definitions.person;

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

const FAKER_SURNAMES = stringList(fakerPerson?.last_name?.generic);
const FAKER_MALE = stringList(fakerPerson?.first_name?.male);
const FAKER_FEMALE = stringList(fakerPerson?.first_name?.female);

/** Surnames: the common ones by weight, and faker's zh_CN list (rarer ones included) for the rest. */
const SURNAMES = Weighted.of<string>([
  ...COMMON_SURNAMES,
  ...FAKER_SURNAMES.map((s): readonly [string, number] => [s, 14 / Math.max(1, FAKER_SURNAMES.length)]),
]);

/** Given names typical of people born before ~1975. */
const OLDER_MALE = ['建国', '建军', '国强', '国平', '志明', '志刚', '卫东', '红兵', '德明', '永强', '建平', '振华', '海军', '军', '强', '伟', '勇', '斌', '明', '华', '平', '刚', '建华', '庆丰', '金根', '水根', '宝林', '文彬'];
const OLDER_FEMALE = ['秀英', '桂英', '玉兰', '桂兰', '秀珍', '凤英', '淑珍', '淑华', '丽华', '红梅', '美华', '素芬', '月娥', '彩霞', '建英', '爱华', '小芳', '丽娟', '雪芬', '金娣', '美娟', '惠芳', '芳', '萍', '静', '敏'];
const YOUNGER_MALE = FAKER_MALE.length > 0 ? FAKER_MALE : ['子轩', '浩然', '宇航', '俊杰'];
const YOUNGER_FEMALE = FAKER_FEMALE.length > 0 ? FAKER_FEMALE : ['欣怡', '梓涵', '诗涵', '雨桐'];

export function chineseName(rng: Rng, male: boolean, age: number): string {
  const surname = SURNAMES.draw(rng);
  const older = age >= 50 ? rng.chance(0.65) : rng.chance(0.1);
  const given = male ? rng.pick(older ? OLDER_MALE : YOUNGER_MALE) : rng.pick(older ? OLDER_FEMALE : YOUNGER_FEMALE);
  return surname + given;
}

// ---------------------------------------------------------------- resident ID numbers

/** Local (Hangzhou) administrative division codes, incl. ones merged away but still on old ID cards. */
const LOCAL_REGIONS: readonly string[] = [
  '330102', '330103', '330104', '330105', '330106', '330108', '330109', '330110', '330111', '330112',
  '330122', '330127', '330182', '330183',
];
/** Elsewhere: rest of Zhejiang and other provinces. */
const OTHER_REGIONS: readonly string[] = [
  '330203', '330302', '330402', '330502', '330602', '330702', '330782', '330802', '330902', '331002', '331102',
  '110101', '110105', '310101', '310115', '320102', '320505', '340102', '340104', '350102', '360102',
  '370102', '410105', '420106', '430102', '440106', '440305', '450103', '500103', '510104', '520102',
  '530102', '610113', '620102', '130102', '140105', '210102', '220102', '230103', '150102', '341202',
  '362502', '411302', '421002', '432502', '513701', '522101',
];

// one implementation of the GB 11643-1999 check character: the loader's
export { idCheckDigit };

export function isValidIdNumber(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && idCheckDigit(id.slice(0, 17)) === id.charAt(17);
}

export function idNumber(rng: Rng, birthDay: number, male: boolean): string {
  const region = rng.chance(0.72) ? rng.pick(LOCAL_REGIONS) : rng.pick(OTHER_REGIONS);
  const c = civilFromDays(birthDay);
  let seq = rng.range(0, 499) * 2 + (male ? 1 : 0); // odd for men, even for women
  if (seq === 0) seq = 2;
  const first17 = `${region}${c.y}${pad2(c.m)}${pad2(c.d)}${String(seq).padStart(3, '0')}`;
  return first17 + idCheckDigit(first17);
}

// ---------------------------------------------------------------- mobile numbers

const MOBILE_PREFIXES = Weighted.of<string>([
  ['130', 3], ['131', 3], ['132', 3], ['133', 3], ['134', 3], ['135', 5], ['136', 5], ['137', 5], ['138', 6],
  ['139', 6], ['147', 1], ['150', 3], ['151', 3], ['152', 3], ['153', 2], ['155', 2], ['156', 2], ['157', 3],
  ['158', 4], ['159', 4], ['166', 1], ['173', 1], ['176', 1], ['177', 1], ['180', 2], ['181', 2], ['182', 2],
  ['183', 2], ['185', 2], ['186', 3], ['187', 3], ['188', 2], ['189', 3], ['191', 1], ['198', 1], ['199', 1],
]);

export function mobileNumber(rng: Rng): string {
  return MOBILE_PREFIXES.draw(rng) + String(rng.int(100000000)).padStart(8, '0');
}

// ---------------------------------------------------------------- occupations

export interface Occupation {
  name: string;
  /** Median annual income in yuan. */
  income: number;
  /** Salary paid into the bank monthly (代发工资). */
  salaried: boolean;
}

export const OCCUPATIONS: readonly Occupation[] = [
  { name: '退休', income: 48000, salaried: false },
  { name: '学生', income: 6000, salaried: false },
  { name: '职员', income: 90000, salaried: true },
  { name: '工程师', income: 180000, salaried: true },
  { name: '教师', income: 130000, salaried: true },
  { name: '医生', income: 220000, salaried: true },
  { name: '护士', income: 110000, salaried: true },
  { name: '公务员', income: 160000, salaried: true },
  { name: '个体工商户', income: 150000, salaried: false },
  { name: '企业主', income: 450000, salaried: false },
  { name: '销售', income: 100000, salaried: true },
  { name: '司机', income: 85000, salaried: true },
  { name: '工人', income: 75000, salaried: true },
  { name: '农民', income: 40000, salaried: false },
  { name: '自由职业', income: 90000, salaried: false },
  { name: '会计', income: 110000, salaried: true },
  { name: '律师', income: 300000, salaried: true },
  { name: '程序员', income: 260000, salaried: true },
  { name: '设计师', income: 150000, salaried: true },
  { name: '厨师', income: 80000, salaried: true },
  { name: '快递员', income: 90000, salaried: true },
  { name: '金融从业人员', income: 240000, salaried: true },
  { name: '家庭主妇', income: 0, salaried: false },
  { name: '无业', income: 12000, salaried: false },
];

export const OCCUPATION_INDEX: ReadonlyMap<string, number> = new Map(OCCUPATIONS.map((o, i) => [o.name, i]));

function occ(name: string): number {
  const i = OCCUPATION_INDEX.get(name);
  if (i === undefined) throw new Error(`unknown occupation ${name}`);
  return i;
}

const WORKING = Weighted.of<number>([
  [occ('职员'), 22], [occ('工程师'), 7], [occ('教师'), 5], [occ('医生'), 2.5], [occ('护士'), 2.5],
  [occ('公务员'), 4], [occ('个体工商户'), 10], [occ('企业主'), 3], [occ('销售'), 6], [occ('司机'), 4],
  [occ('工人'), 8], [occ('农民'), 3], [occ('自由职业'), 5], [occ('会计'), 3], [occ('律师'), 0.8],
  [occ('程序员'), 4], [occ('设计师'), 2], [occ('厨师'), 2], [occ('快递员'), 2.5], [occ('金融从业人员'), 1.5],
  [occ('家庭主妇'), 2], [occ('无业'), 2],
]);
const WEALTHY_WORKING = Weighted.of<number>([
  [occ('企业主'), 30], [occ('个体工商户'), 20], [occ('医生'), 8], [occ('律师'), 5], [occ('金融从业人员'), 6],
  [occ('公务员'), 6], [occ('工程师'), 6], [occ('程序员'), 5], [occ('职员'), 8], [occ('家庭主妇'), 4],
  [occ('教师'), 2],
]);

/** An occupation index for a person of this age; `wealthy` leans to owners and professionals. */
export function occupationFor(rng: Rng, age: number, wealthy: boolean): number {
  if (age >= 60) {
    if (rng.chance(age >= 63 ? 0.9 : 0.6)) return occ('退休');
    return wealthy ? WEALTHY_WORKING.draw(rng) : WORKING.draw(rng);
  }
  if (age < 23 && rng.chance(age < 21 ? 0.75 : 0.45)) return occ('学生');
  return wealthy && rng.chance(0.7) ? WEALTHY_WORKING.draw(rng) : WORKING.draw(rng);
}

// ---------------------------------------------------------------- addresses

interface District {
  name: string;
  streets: readonly string[];
}

const DISTRICTS: readonly District[] = [
  { name: '上城区', streets: ['解放路', '庆春路', '清泰街', '望江路', '秋涛路', '钱江路', '江锦路'] },
  { name: '拱墅区', streets: ['莫干山路', '湖墅南路', '上塘路', '丽水路', '登云路', '东新路', '体育场路'] },
  { name: '西湖区', streets: ['文三路', '文一西路', '天目山路', '古墩路', '教工路', '学院路', '西溪路', '文二路'] },
  { name: '滨江区', streets: ['江南大道', '滨盛路', '长河路', '江陵路', '网商路', '闻涛路'] },
  { name: '萧山区', streets: ['人民路', '市心路', '金城路', '建设一路', '山阴路', '通惠路'] },
  { name: '余杭区', streets: ['五常大道', '良睦路', '龙舟路', '荆长大道', '文一西路', '联胜路'] },
  { name: '临平区', streets: ['迎宾路', '人民大道', '南苑街', '世纪大道', '星桥路'] },
  { name: '钱塘区', streets: ['文泽路', '学林街', '海达南路', '下沙路', '听涛路'] },
  { name: '富阳区', streets: ['桂花路', '江滨西大道', '金桥北路', '富春街'] },
  { name: '临安区', streets: ['钱王街', '衣锦街', '万马路', '苕溪南街'] },
];
const DISTRICT_WEIGHTS = new Weighted(DISTRICTS, [12, 14, 16, 9, 13, 14, 7, 6, 5, 4]);

const COMMUNITIES: readonly string[] = [
  '翠苑一区', '翠苑三区', '文鼎苑', '金色家园', '桂花城', '春江花月', '保利天地', '和家园', '嘉绿苑', '申花家园',
  '东方郡', '星洲花园', '金色海岸', '良渚文化村', '城市之星', '丽都花园', '朝晖六区', '采荷新村', '景芳三区',
  '闸弄口新村', '三塘苑', '大关西苑', '小河佳苑', '米市巷小区', '湖滨花园', '蓝色钱江', '绿城西溪诚园', '万科城',
  '华润悦府', '耀江广厦', '九堡家苑', '红石板小区', '古荡新村', '嘉南苑', '潮鸣苑', '新华坊', '龙湖春江郦城',
];

/** A full postal address (Hangzhou, sometimes elsewhere in Zhejiang). */
export function chineseAddress(rng: Rng): string {
  if (rng.chance(0.04)) {
    // registered elsewhere in Zhejiang
    const town = rng.pick(['宁波市海曙区中山西路', '温州市鹿城区人民路', '绍兴市越城区解放北路', '金华市婺城区八一北街', '嘉兴市南湖区中山东路', '湖州市吴兴区红旗路']);
    return `浙江省${town}${rng.range(1, 399)}号${rng.range(1, 30)}幢${rng.range(1, 3)}单元${rng.range(1, 18)}${pad2(rng.range(1, 4))}室`;
  }
  const district = DISTRICT_WEIGHTS.draw(rng);
  const street = rng.pick(district.streets);
  const community = rng.pick(COMMUNITIES);
  const number = rng.range(1, 888);
  if (rng.chance(0.15)) {
    return `浙江省杭州市${district.name}${street}${number}号`;
  }
  return `浙江省杭州市${district.name}${street}${number}号${community}${rng.range(1, 36)}幢${rng.range(1, 4)}单元${rng.range(1, 28)}${pad2(rng.range(1, 4))}室`;
}

/** Person names for transfer counterparties (转账-张伟). */
export function counterpartyPerson(rng: Rng): string {
  return chineseName(rng, rng.chance(0.5), rng.range(20, 70));
}
