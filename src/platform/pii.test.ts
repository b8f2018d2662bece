import { describe, expect, it } from 'vitest';
import { maskAddress, maskName, viewCounterparty, viewDetail, viewName } from './pii.js';

describe('masks of personal data', () => {
  it('keeps the surname and the last character of a name; a two-character name keeps the surname', () => {
    expect(maskName('张三明')).toBe('张*明');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳小明')).toBe('欧**明');
    expect(maskName('')).toBe('');
  });
  it('keeps an address to its district', () => {
    expect(maskAddress('浙江省杭州市西湖区文三路100号')).toBe('浙江省杭州市西湖区****');
    expect(maskAddress('北京市东城区电力路1号')).toBe('北京市东城区****');
    expect(maskAddress('上海市浦东新区世纪大道1号')).toBe('上海市浦东新区****');
    expect(maskAddress('新疆维吾尔自治区乌鲁木齐市天山区1号')).toBe('新疆维吾尔自治区乌鲁木齐市天山区****');
    expect(maskAddress('浙江省杭州市文三路100号')).toBe('浙江省杭州市****');
    expect(maskAddress(null)).toBeNull();
  });
  it('applies a role view: names masked or not, details hidden or shown, counterparties masked', () => {
    const lobby = { namesMasked: true, details: false };
    const manager = { namesMasked: false, details: true };
    expect(viewName(lobby, '李四')).toBe('李*');
    expect(viewName(manager, '李四')).toBe('李四');
    expect(viewDetail(lobby, '240000.00')).toBeNull();
    expect(viewDetail(manager, '240000.00')).toBe('240000.00');
    expect(viewCounterparty(lobby, '王小明')).toBe('王*明');
    expect(viewCounterparty(manager, '王小明')).toBe('王小明');
  });
});
