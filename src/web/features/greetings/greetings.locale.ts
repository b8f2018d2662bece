// Greetings (生日与节日祝福); zh-CN.ts and en.ts take them in under `greetings` (same keys, checked by type).

export const greetingsZh = {
  menu: '祝福短信',
  title: '待批准的祝福短信',
  hint: '每日批处理提前 3 天准备客户生日祝福（按客户经理）和节日祝福（网点名义，发给资产层级 band_5 的客户），请网点负责人批准后由短信发送程序发出。均为营销短信：未同意营销、免打扰、已退订、近 7 天已收 2 条营销短信的客户会被跳过，只在 8:00–21:00 发送。',
  filter: { draft: '待批准', approved: '已批准', all: '全部' },
  columns: { date: '日期', occasion: '祝福', branch: '网点', owner: '客户经理', recipients: '客户数', text: '短信内容', status: '状态', actions: '操作' },
  occasions: { birthday: '生日祝福', festival: '节日祝福' },
  festivals: { spring_festival: '春节', lantern: '元宵节', dragon_boat: '端午节', mid_autumn: '中秋节', national_day: '国庆节', new_year: '元旦' },
  statuses: { draft: '待批准', approved: '已批准', sending: '发送中', done: '已发送' },
  passed: '日期已过',
  approve: '批准',
  approved: '已批准，将由短信发送程序发出',
  empty: '没有准备好的祝福短信',
};

export const greetingsEn: typeof greetingsZh = {
  menu: 'Greetings',
  title: 'Greetings to approve',
  hint: "The daily batch prepares customers' birthday greetings 3 days ahead (per manager) and festival greetings (in the branch's name, to band_5 customers); the branch head approves them and the SMS sender sends them. They are marketing messages: customers without marketing consent, with do-not-disturb, who opted out or already had 2 marketing messages in 7 days are skipped, and they go out only 08:00–21:00.",
  filter: { draft: 'To approve', approved: 'Approved', all: 'All' },
  columns: { date: 'Date', occasion: 'Greeting', branch: 'Branch', owner: 'Manager', recipients: 'Customers', text: 'Text', status: 'Status', actions: 'Actions' },
  occasions: { birthday: 'Birthday', festival: 'Festival' },
  festivals: { spring_festival: 'Spring Festival', lantern: 'Lantern Festival', dragon_boat: 'Dragon Boat Festival', mid_autumn: 'Mid-Autumn Festival', national_day: 'National Day', new_year: "New Year's Day" },
  statuses: { draft: 'To approve', approved: 'Approved', sending: 'Sending', done: 'Sent' },
  passed: 'Day passed',
  approve: 'Approve',
  approved: 'Approved; the SMS sender will send it',
  empty: 'No greetings prepared',
};
