<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CandidatePage</name>
    <message>
        <location filename="../../app/ui/candidate.py" line="73"/>
        <source>Résumé</source>
        <translation>简历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="74"/>
        <source>Round 1</source>
        <translation>一面</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="75"/>
        <source>Competency model</source>
        <translation>胜任力模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="76"/>
        <source>Earlier interviews and training (imported)</source>
        <translation>以往面试与培训（导入）</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="77"/>
        <source>Probes for this candidate</source>
        <translation>针对该候选人的追问</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="79"/>
        <source>Date</source>
        <translation>日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="79"/>
        <source>Kind</source>
        <translation>类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="79"/>
        <source>Record</source>
        <translation>记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="83"/>
        <source>Competency</source>
        <translation>胜任力</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="84"/>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="85"/>
        <source>Bar</source>
        <translation>要求</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="86"/>
        <source>What level 8 looks like</source>
        <translation>8 分行为表现</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="89"/>
        <source>Open a candidate from Home (double-click).</source>
        <translation>请在首页双击打开一位候选人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="104"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="119"/>
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="120"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="121"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="123"/>
        <source>Education</source>
        <translation>学历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="127"/>
        <source>Experience</source>
        <translation>工作年限</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="128"/>
        <source> years</source>
        <translation> 年</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="132"/>
        <source>Skills</source>
        <translation>技能</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="133"/>
        <source>Career goal</source>
        <translation>职业规划</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="138"/>
        <source>Work</source>
        <translation>工作经历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="146"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="157"/>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="157"/>
        <source>not passed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="160"/>
        <source>Job</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="161"/>
        <source>Score</source>
        <translation>分数</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="174"/>
        <source>from %1: %2</source>
        <translation>依据%1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="194"/>
        <source>the résumé</source>
        <translation>简历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="195"/>
        <source>round-1 notes</source>
        <translation>一面评语</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="196"/>
        <source>training history</source>
        <translation>培训记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="203"/>
        <source>Interview</source>
        <translation>面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="203"/>
        <source>Training</source>
        <translation>培训</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="79"/>
        <location filename="../../app/ui/candidate.py" line="164"/>
        <source>Notes</source>
        <translation>备注</translation>
    </message>
</context>
<context>
    <name>ConsentPage</name>
    <message>
        <location filename="../../app/ui/consent.py" line="61"/>
        <location filename="../../app/ui/consent.py" line="89"/>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="64"/>
        <source>Read this with the candidate before anything is recorded. Each purpose is a separate choice; declining AI analysis still allows a normal interview with notes and ratings.</source>
        <translation>开始录制前，请与候选人一起阅读以下内容。每一项用途单独选择；不同意 AI 分析也可以正常面试、记录备注和评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="69"/>
        <source>Open an interview from Home (double-click).</source>
        <translation>请在首页双击打开一场面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="70"/>
        <source>Record the candidate&apos;s choices</source>
        <translation>记录候选人的选择</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="97"/>
        <source>The candidate agrees</source>
        <translation>候选人同意</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="103"/>
        <source>Notice version %1.</source>
        <translation>告知书版本 %1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="132"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="132"/>
        <source>no</source>
        <translation>否</translation>
    </message>
    <message>
        <location filename="../../app/ui/consent.py" line="135"/>
        <source>Recorded. Recording: %1 · AI analysis: %2 · camera/voice cues stored: %3 · sync to hub: %4</source>
        <translation>已记录。录音录像：%1 · AI 分析：%2 · 保存摄像头/声音信号：%3 · 同步到中心服务器：%4</translation>
    </message>
</context>
<context>
    <name>DashboardPage</name>
    <message>
        <location filename="../../app/ui/dashboard.py" line="63"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="64"/>
        <source>Export CSV</source>
        <translation>导出 CSV</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="65"/>
        <source>Export Excel</source>
        <translation>导出 Excel</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="68"/>
        <source>Rank</source>
        <translation>排名</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="69"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="70"/>
        <source>Match %</source>
        <translation>匹配度 %</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="71"/>
        <source>Meets threshold</source>
        <translation>达到门槛</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="72"/>
        <source>Below the bar in</source>
        <translation>未达标项</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="130"/>
        <source>%1 interviews rated for this job.</source>
        <translation>该职位已评分的面试：%1 场。</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="138"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="148"/>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>DuplicatesPage</name>
    <message>
        <location filename="../../app/ui/duplicates.py" line="116"/>
        <source>Possible duplicates from imports</source>
        <translation>导入中可能重复的记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="119"/>
        <source>These imported records may be the same person, but not surely enough to join them without you. Compare them side by side: Merge keeps record A and moves the rows, interviews and missing fields of B into it; Keep apart remembers that they are different people.</source>
        <translation>这些导入的记录可能是同一个人，但把握不足以在没有您确认的情况下合并。请并排比较：“合并到 A”保留记录 A，并把 B 的来源行、面试和 A 缺少的字段移入 A；“保持分开”会记住他们是不同的人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="126"/>
        <source>Match</source>
        <translation>匹配度</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="126"/>
        <location filename="../../app/ui/duplicates.py" line="129"/>
        <source>Record A</source>
        <translation>记录 A</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="126"/>
        <location filename="../../app/ui/duplicates.py" line="129"/>
        <source>Record B</source>
        <translation>记录 B</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="129"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="131"/>
        <source>Merge into A</source>
        <translation>合并到 A</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="132"/>
        <source>Keep apart</source>
        <translation>保持分开</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="139"/>
        <source>%1 pair(s) waiting for a decision.</source>
        <translation>有 %1 对记录等待决定。</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="141"/>
        <source>No pairs are waiting: every import so far was clear.</source>
        <translation>没有待决定的记录：到目前为止的导入都很明确。</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="193"/>
        <source>Source rows</source>
        <translation>来源行</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="219"/>
        <source>Merged: record B is now part of record A.</source>
        <translation>已合并：记录 B 现在并入了记录 A。</translation>
    </message>
    <message>
        <location filename="../../app/ui/duplicates.py" line="221"/>
        <source>Kept apart: they will not be suggested again.</source>
        <translation>已保持分开：不会再次提示这一对。</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../app/ui/home.py" line="83"/>
        <source>Interviews</source>
        <translation>面试安排</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="85"/>
        <source>Search candidates: name, phone, e-mail, school, skills…</source>
        <translation>搜索候选人：姓名、手机、邮箱、学校、技能…</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="87"/>
        <source>Today only</source>
        <translation>仅看今天</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="90"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="91"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="92"/>
        <source>Job</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="93"/>
        <source>Interviewer</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="94"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="95"/>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="100"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="101"/>
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="102"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="103"/>
        <source>School</source>
        <translation>学校</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="104"/>
        <source>Skills</source>
        <translation>技能</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="107"/>
        <location filename="../../app/ui/home.py" line="189"/>
        <source>Candidates</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="117"/>
        <source>All jobs</source>
        <translation>全部职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="128"/>
        <source>Sync now</source>
        <translation>立即同步</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="129"/>
        <source>Import legacy file…</source>
        <translation>导入历史数据文件…</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="132"/>
        <source>Offline: everything stays on this laptop</source>
        <translation>离线：所有数据仅保存在本机</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="135"/>
        <source>Hub: %1 (not synced yet)</source>
        <translation>中心服务器：%1（尚未同步）</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="160"/>
        <source>Syncing with the hub…</source>
        <translation>正在与中心服务器同步…</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="162"/>
        <source>Sync stopped; the rest stays queued.</source>
        <translation>同步已停止；其余数据仍在队列中。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="168"/>
        <source>Synced: %1 sent, %2 received</source>
        <translation>已同步：发送 %1 条，接收 %2 条</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="182"/>
        <location filename="../../app/ui/home.py" line="196"/>
        <source>Import legacy file</source>
        <translation>导入历史数据文件</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="184"/>
        <source>Spreadsheets and CSV (*.xlsx *.xls *.csv *.txt)</source>
        <translation>电子表格和 CSV（*.xlsx *.xls *.csv *.txt）</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="190"/>
        <source>Jobs</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="191"/>
        <source>Interview records</source>
        <translation>面试记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="192"/>
        <source>Training records</source>
        <translation>培训记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="197"/>
        <source>The file holds</source>
        <translation>文件内容类型</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="236"/>
        <source>Importing %1…</source>
        <translation>正在导入 %1…</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="238"/>
        <source>Import cancelled; nothing was changed.</source>
        <translation>导入已取消，数据未作任何更改。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="244"/>
        <source>Imported %1: %2 new, %3 merged, %4 rows rejected.</source>
        <translation>已导入 %1：新增 %2 条，合并 %3 条，拒绝 %4 行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="252"/>
        <source>%1 possible duplicate pair(s) wait for you under Duplicates.</source>
        <translation>有 %1 对可能重复的记录在“重复记录”页等待您处理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="256"/>
        <source>%1 linked to stored candidates; %2 not linked (no stored candidate matches surely enough: add a phone or e-mail to those rows and import the file again).</source>
        <translation>%1 条已关联到已有候选人；%2 条未关联（没有足够确定的匹配：请为这些行补充手机或邮箱后重新导入）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="261"/>
        <source>Job titles no profile has: %1.</source>
        <translation>没有对应职位画像的职位名称：%1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="297"/>
        <source>Scheduled</source>
        <translation>已安排</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="298"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="299"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="300"/>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="301"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="317"/>
        <source>No interviews match. Interviews arrive from the hub at the next sync, or run `roundtwo demo` for a sample.</source>
        <translation>没有符合条件的面试。面试安排会在下次同步时从中心服务器获取，也可以运行 `roundtwo demo` 载入示例。</translation>
    </message>
</context>
<context>
    <name>ImportResultDialog</name>
    <message>
        <location filename="../../app/ui/import_result.py" line="45"/>
        <source>Import of %1</source>
        <translation>导入 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="50"/>
        <source>What the import of %1 would do (dry run: nothing was changed)</source>
        <translation>导入 %1 将会做什么（试运行：没有任何改动）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="52"/>
        <source>What the import of %1 did</source>
        <translation>导入 %1 的结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="57"/>
        <source>%1 rows read, %2 imported (%3 new records, %4 merged into others), %5 rejected.</source>
        <translation>读取 %1 行，导入 %2 行（新建 %3 条记录，%4 行合并到其他记录），拒绝 %5 行。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="65"/>
        <source>%1 values corrected, %2 flagged for a person to check, %3 rows unchanged since an earlier import.</source>
        <translation>更正 %1 个值，%2 处标记待人工核对，%3 行与之前的导入相同未变。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="74"/>
        <source>%1 possible duplicate pair(s) wait for you under Duplicates.</source>
        <translation>有 %1 对可能重复的记录在“重复记录”页等待您处理。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="80"/>
        <source>%1 rows linked to stored candidates, %2 not linked.</source>
        <translation>%1 行已关联到已有候选人，%2 行未关联。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="91"/>
        <source>Rejected rows (%1)</source>
        <translation>被拒绝的行（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="92"/>
        <location filename="../../app/ui/import_result.py" line="101"/>
        <location filename="../../app/ui/import_result.py" line="115"/>
        <location filename="../../app/ui/import_result.py" line="121"/>
        <source>Row</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="92"/>
        <location filename="../../app/ui/import_result.py" line="121"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="92"/>
        <source>Value</source>
        <translation>值</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="92"/>
        <location filename="../../app/ui/import_result.py" line="101"/>
        <source>Reason</source>
        <translation>原因</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="100"/>
        <source>Not linked (%1)</source>
        <translation>未关联（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="101"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="101"/>
        <source>Closest match</source>
        <translation>最接近的匹配</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="114"/>
        <source>Flags (%1)</source>
        <translation>标记（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="115"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="115"/>
        <source>What to check</source>
        <translation>需要核对</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="120"/>
        <source>Corrections (%1)</source>
        <translation>更正（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="121"/>
        <source>Before</source>
        <translation>原值</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="121"/>
        <source>After</source>
        <translation>新值</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="126"/>
        <source>Merged duplicates (%1)</source>
        <translation>已合并的重复项（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="127"/>
        <source>Rows</source>
        <translation>行</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="127"/>
        <source>Probability</source>
        <translation>概率</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="127"/>
        <source>With a stored record</source>
        <translation>与已有记录合并</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="132"/>
        <source>yes</source>
        <translation>是</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="140"/>
        <source>Every row was imported as it was.</source>
        <translation>所有行均按原样导入。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="145"/>
        <source>Save report…</source>
        <translation>保存报告…</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="146"/>
        <source>Export rejected rows…</source>
        <translation>导出被拒绝的行…</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="162"/>
        <source>%1 is empty</source>
        <translation>%1为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="166"/>
        <source>a name cannot contain digits or &apos;@&apos;</source>
        <translation>姓名不能包含数字或“@”</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="170"/>
        <source>the name is longer than 60 characters</source>
        <translation>姓名超过 60 个字符</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="172"/>
        <source>the phone number is empty</source>
        <translation>手机号码为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="173"/>
        <source>&apos;%1&apos; is not a phone number</source>
        <translation>“%1”不是电话号码</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="176"/>
        <source>&apos;%1&apos; is not a valid phone number for region %2</source>
        <translation>“%1”不是地区 %2 的有效电话号码</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="180"/>
        <source>&apos;%1&apos; is not a valid e-mail address</source>
        <translation>“%1”不是有效的电子邮箱地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="182"/>
        <source>the date is empty</source>
        <translation>日期为空</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="185"/>
        <source>&apos;%1&apos; is ambiguous (day/month or month/day)</source>
        <translation>“%1”有歧义（无法确定是日/月还是月/日）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="187"/>
        <source>&apos;%1&apos; is not a real date</source>
        <translation>“%1”不是真实存在的日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="190"/>
        <source>&apos;%1&apos; is not a date RoundTwo can read</source>
        <translation>“%1”不是可识别的日期格式</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="192"/>
        <source>&apos;%1&apos; is not a date</source>
        <translation>“%1”不是日期</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="193"/>
        <source>birth date %1 is not plausible</source>
        <translation>出生日期 %1 不合理</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="196"/>
        <source>birth date %1 is unusually early; kept as written for a person to check</source>
        <translation>出生日期 %1 异常早；按原值保留，请人工核对</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="198"/>
        <source>&apos;%1&apos; is not a number of years</source>
        <translation>“%1”不是年数</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="201"/>
        <source>%1 years of experience is out of range (0-60)</source>
        <translation>工作年限 %1 年超出范围（0–60）</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="207"/>
        <source>states %1 years of experience but the dated work history covers %2 years; left as stated for a person to check</source>
        <translation>填写的工作年限为 %1 年，但有日期的工作经历覆盖 %2 年；按填写值保留，请人工核对</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="215"/>
        <source>the closest stored candidate matches with p=%1, below the auto-merge threshold %2</source>
        <translation>最接近的已有候选人匹配概率为 %1，低于自动合并阈值 %2</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="219"/>
        <source>no stored candidate matches</source>
        <translation>没有匹配的已有候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="264"/>
        <source>The first %1 of %2 are shown; the saved report has them all.</source>
        <translation>仅显示 %2 行中的前 %1 行；保存的报告包含全部。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="277"/>
        <source>The report could not be saved to %1: %2</source>
        <translation>报告无法保存到 %1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="282"/>
        <source>Report saved to %1.</source>
        <translation>报告已保存到 %1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="295"/>
        <source>The rows could not be saved to %1: %2</source>
        <translation>这些行无法保存到 %1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="301"/>
        <source>%1 rejected rows saved to %2: fix them there and import that file.</source>
        <translation>%1 个被拒绝的行已保存到 %2：请在其中修正后导入该文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="310"/>
        <source>Save report</source>
        <translation>保存报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="319"/>
        <source>Export rejected rows</source>
        <translation>导出被拒绝的行</translation>
    </message>
    <message>
        <location filename="../../app/ui/import_result.py" line="321"/>
        <source>CSV or Excel (*.csv *.xlsx)</source>
        <translation>CSV 或 Excel (*.csv *.xlsx)</translation>
    </message>
</context>
<context>
    <name>KioskWindow</name>
    <message>
        <location filename="../../app/ui/kiosk.py" line="167"/>
        <location filename="../../app/ui/kiosk.py" line="390"/>
        <source>Staff: exit</source>
        <translation>工作人员：退出</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="168"/>
        <source>Welcome! Answer a few questions on your own.</source>
        <translation>欢迎！请独立回答几道问题。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="170"/>
        <source>Each answer has a time limit shown on screen.</source>
        <translation>每道题的作答时间会显示在屏幕上。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="172"/>
        <source>Take the time you need for each answer.</source>
        <translation>每道题不限时，请从容作答。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="176"/>
        <source>You will see one question at a time and a short countdown before the camera records your answer. You may record each answer again once.</source>
        <translation>每次显示一道题，短暂倒计时后摄像头开始录制你的回答。每道题可以重录一次。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="182"/>
        <source>Your name</source>
        <translation>你的姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="183"/>
        <source>Phone or e-mail</source>
        <translation>电话或邮箱</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="184"/>
        <source>I agree to the choices above — start</source>
        <translation>我同意以上选择——开始</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="185"/>
        <source>Start recording now</source>
        <translation>立即开始录制</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="186"/>
        <source>Done with this answer</source>
        <translation>本题回答完毕</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="187"/>
        <source>Record again (once)</source>
        <translation>重录（仅一次）</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="188"/>
        <source>Next question ▶</source>
        <translation>下一题 ▶</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="189"/>
        <source>Thank you! Your answers were saved for the hiring team.</source>
        <translation>谢谢！你的回答已保存，招聘团队会查看。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="190"/>
        <source>Next candidate</source>
        <translation>下一位候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="204"/>
        <source>I agree</source>
        <translation>我同意</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="248"/>
        <source>Question %1 of %2</source>
        <translation>第 %1 题，共 %2 题</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="255"/>
        <source>Think about your answer; recording starts when the countdown ends.</source>
        <translation>请思考你的回答；倒计时结束后开始录制。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="258"/>
        <source>Time for the answer: %1 min.</source>
        <translation>作答时间：%1 分钟。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="260"/>
        <source>No time limit.</source>
        <translation>不限时。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="264"/>
        <source>The camera starts with the recording.</source>
        <translation>摄像头会在录制开始时开启。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="315"/>
        <source>Saved. Record again once, or go on.</source>
        <translation>已保存。可以重录一次，或继续下一题。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="381"/>
        <source>Wrong PIN.</source>
        <translation>PIN 码错误。</translation>
    </message>
    <message>
        <location filename="../../app/ui/kiosk.py" line="390"/>
        <source>Interviewer PIN</source>
        <translation>面试官 PIN 码</translation>
    </message>
</context>
<context>
    <name>LongTask</name>
    <message>
        <location filename="../../app/ui/work.py" line="61"/>
        <source>Cancel</source>
        <translation>取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/work.py" line="76"/>
        <source>Stopping after the current step…</source>
        <translation>正在完成当前步骤后停止…</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="112"/>
        <source>RoundTwo — structured second-round interviews</source>
        <translation>二面 RoundTwo — 结构化二面面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="118"/>
        <location filename="../../app/ui/selftest.py" line="37"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="119"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="120"/>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="121"/>
        <source>Interview</source>
        <translation>面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="123"/>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="122"/>
        <source>Ratings</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="124"/>
        <source>Review</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="125"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="126"/>
        <source>Duplicates</source>
        <translation>重复记录</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="127"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="133"/>
        <source>Data: %1 · v%2</source>
        <translation>数据：%1 · v%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="140"/>
        <source>Some job profiles could not be loaded: </source>
        <translation>部分职位配置无法加载：</translation>
    </message>
</context>
<context>
    <name>MappingDialog</name>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="56"/>
        <source>Import %1</source>
        <translation>导入 %1</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="60"/>
        <source>Which column holds what?</source>
        <translation>每一列是什么？</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="66"/>
        <source>No header row was found in %1: the file has no column RoundTwo recognises for %2.</source>
        <translation>在 %1 中没有找到表头行：文件里没有二面能识别为 %2 的列。</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="77"/>
        <source>Sheet &apos;%1&apos;, header on row %2. Check the suggestion for every column; choose &apos;ignore&apos; for columns that should not be imported.</source>
        <translation>工作表“%1”，表头在第 %2 行。请检查每一列的建议；不应导入的列请选“忽略”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="87"/>
        <source>Column</source>
        <translation>列</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="87"/>
        <source>Sample values</source>
        <translation>示例值</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="87"/>
        <source>Field</source>
        <translation>字段</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="87"/>
        <source>Sure</source>
        <translation>把握</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="96"/>
        <source>— ignore —</source>
        <translation>— 忽略 —</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="105"/>
        <source>saved</source>
        <translation>已保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="118"/>
        <source>Import</source>
        <translation>导入</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="120"/>
        <source>Save mapping…</source>
        <translation>保存映射…</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="141"/>
        <source>Nothing to import.</source>
        <translation>没有可导入的内容。</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="148"/>
        <source>Required field(s) not chosen: %1.</source>
        <translation>尚未选择必填字段：%1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="153"/>
        <source>Each field can come from one column only: %1.</source>
        <translation>每个字段只能来自一列：%1。</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="178"/>
        <source>Save mapping</source>
        <translation>保存映射</translation>
    </message>
    <message>
        <location filename="../../app/ui/mapping_dialog.py" line="180"/>
        <source>Mapping files (*.json)</source>
        <translation>映射文件 (*.json)</translation>
    </message>
</context>
<context>
    <name>PassphraseDialog</name>
    <message>
        <location filename="../../app/ui/unlock.py" line="59"/>
        <source>Unlock RoundTwo</source>
        <translation>解锁二面</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock.py" line="62"/>
        <source>An administrator chose passphrase mode for this computer (it has no usable system keychain). Candidate data and recordings are encrypted with a key made from the passphrase: enter it to open them. Nothing is read until it is right.</source>
        <translation>管理员为这台电脑选择了口令模式（它没有可用的系统钥匙串）。候选人数据和录像用由口令生成的密钥加密：请输入口令以打开它们。口令正确之前不会读取任何数据。</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock.py" line="67"/>
        <source>Passphrase</source>
        <translation>口令</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock.py" line="69"/>
        <source>Unlock</source>
        <translation>解锁</translation>
    </message>
    <message>
        <location filename="../../app/ui/unlock.py" line="70"/>
        <source>Quit</source>
        <translation>退出</translation>
    </message>
    <message numerus="yes">
        <location filename="../../app/ui/unlock.py" line="82"/>
        <source>The passphrase is wrong. %n attempt(s) left.</source>
        <translation>
            <numerusform>口令不正确，还可以再试 %n 次。</numerusform>
        </translation>
    </message>
</context>
<context>
    <name>RatingPage</name>
    <message>
        <location filename="../../app/ui/rating.py" line="89"/>
        <source>Interviewer</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="92"/>
        <source>Ratings</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="93"/>
        <source>Save ratings</source>
        <translation>保存评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="94"/>
        <source>Open an interview from Home (double-click).</source>
        <translation>请在首页双击打开一场面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="125"/>
        <source>Rating as %1. The BARS anchors describe what each level looks like; pick the level the evidence supports.</source>
        <translation>评分人：%1。行为锚定评分量表（BARS）描述了每个等级的行为表现，请选择证据所支持的等级。</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="131"/>
        <source>weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="131"/>
        <source>bar</source>
        <translation>要求</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="138"/>
        <source>Level</source>
        <translation>等级</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="139"/>
        <source>Note</source>
        <translation>备注</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="149"/>
        <source>AI suggestion hidden until the interview ends (avoids anchoring).</source>
        <translation>面试结束前不显示 AI 建议（避免先入为主）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="151"/>
        <source>AI suggestion: none for this competency.</source>
        <translation>AI 建议：该胜任力暂无建议。</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="153"/>
        <source>AI suggestion: insufficient evidence.</source>
        <translation>AI 建议：证据不足。</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="155"/>
        <source>AI suggestion: %1 (confidence %2)</source>
        <translation>AI 建议：%1（置信度 %2）</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="163"/>
        <source>differs from your rating by 2+ levels</source>
        <translation>与您的评分相差 2 级及以上</translation>
    </message>
    <message>
        <location filename="../../app/ui/rating.py" line="185"/>
        <source>Saved %1 ratings.</source>
        <translation>已保存 %1 项评分。</translation>
    </message>
</context>
<context>
    <name>ReportPage</name>
    <message>
        <location filename="../../app/ui/report.py" line="88"/>
        <source>Competency</source>
        <translation>胜任力</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="89"/>
        <source>Interviewers</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="90"/>
        <source>Bar</source>
        <translation>要求</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="91"/>
        <source>AI suggestion</source>
        <translation>AI 建议</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="92"/>
        <source>Result</source>
        <translation>结论</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="95"/>
        <source>Open an interview from Home (double-click).</source>
        <translation>请在首页双击打开一场面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="96"/>
        <source>Review recording…</source>
        <translation>回放录像…</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="97"/>
        <source>Export PDF…</source>
        <translation>导出 PDF…</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="98"/>
        <source>Export JSON…</source>
        <translation>导出 JSON…</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="101"/>
        <source>AI suggestions are advisory and shown after the interview; the interviewers&apos; ratings are the decision. Nobody is rejected automatically.</source>
        <translation>AI 建议仅供参考，默认在面试结束后显示；以面试官的评分为准，系统不会自动淘汰任何人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="127"/>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="140"/>
        <source>Job match: no ratings yet</source>
        <translation>岗位匹配度：尚无评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="144"/>
        <source>Job match: %1% (threshold %2%)</source>
        <translation>岗位匹配度：%1%（门槛 %2%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="155"/>
        <source>meets the bar</source>
        <translation>达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="156"/>
        <source>below the bar</source>
        <translation>未达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="157"/>
        <source>not rated</source>
        <translation>未评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="160"/>
        <source>AI differs by 2+ levels</source>
        <translation>AI 与面试官相差 ≥2 级</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="174"/>
        <source>Training gaps (most consequential first): </source>
        <translation>培训差距（影响最大的在前）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="181"/>
        <source>No gaps against the job&apos;s bars.</source>
        <translation>各项胜任力均达到岗位要求。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="193"/>
        <source>Evidence behind the suggestions</source>
        <translation>建议背后的证据</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="208"/>
        <source>No evidence recorded yet.</source>
        <translation>尚无记录的证据。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="215"/>
        <source>PDF (*.pdf)</source>
        <translation>PDF（*.pdf）</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="215"/>
        <source>JSON (*.json)</source>
        <translation>JSON（*.json）</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="217"/>
        <source>Export report</source>
        <translation>导出报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="239"/>
        <source>Exporting the report…</source>
        <translation>正在导出报告…</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="241"/>
        <source>Export cancelled; nothing was written.</source>
        <translation>导出已取消，未写入任何文件。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="250"/>
        <source>Saved %1</source>
        <translation>已保存 %1</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <location filename="../../app/ui/review.py" line="225"/>
        <source>Interviewer</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="229"/>
        <source>Open an interview from Home (double-click), then Review.</source>
        <translation>请在首页双击打开一场面试，再进入回放。</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="231"/>
        <source>Transcript (click a line to jump there)</source>
        <translation>文字记录（点击一行跳转到该处）</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="232"/>
        <source>Evidence behind the AI suggestions (click to jump)</source>
        <translation>AI 建议的证据（点击跳转）</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="233"/>
        <source>Ratings</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="236"/>
        <source>Competency</source>
        <translation>胜任力</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="237"/>
        <source>Your level</source>
        <translation>你的评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="238"/>
        <source>AI suggestion</source>
        <translation>AI 建议</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="239"/>
        <source>Flag</source>
        <translation>标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="242"/>
        <source>Save ratings</source>
        <translation>保存评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="253"/>
        <location filename="../../app/ui/review.py" line="265"/>
        <source>Review</source>
        <translation>回放</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="275"/>
        <source>No recording for this interview (notes and ratings only).</source>
        <translation>这场面试没有录像（只有笔记和评分）。</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="284"/>
        <source>notes</source>
        <translation>笔记</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="306"/>
        <source>No AI evidence for this interview.</source>
        <translation>这场面试没有 AI 证据。</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="319"/>
        <source>Speaking</source>
        <translation>说话</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="320"/>
        <source>Face in view</source>
        <translation>人脸在画面中</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="321"/>
        <source>Looking at camera</source>
        <translation>注视镜头</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="344"/>
        <source>differs by 2+ levels</source>
        <translation>相差 2 级及以上</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="378"/>
        <source>Saved %1 ratings.</source>
        <translation>已保存 %1 项评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="397"/>
        <source>Loading the recording…</source>
        <translation>正在载入录像…</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="419"/>
        <source>No picture</source>
        <translation>无画面</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="433"/>
        <source>The recording cannot be played: %1</source>
        <translation>录像无法播放：%1</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="466"/>
        <source>Pause</source>
        <translation>暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="466"/>
        <source>Play</source>
        <translation>播放</translation>
    </message>
</context>
<context>
    <name>RoomPage</name>
    <message>
        <location filename="../../app/ui/room.py" line="178"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="179"/>
        <source>◀ Previous</source>
        <translation>◀ 上一题</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="180"/>
        <source>Next ▶ (Ctrl+→)</source>
        <translation>下一题 ▶（Ctrl+→）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="181"/>
        <source>Mark (Ctrl+M)</source>
        <translation>标记（Ctrl+M）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="182"/>
        <location filename="../../app/ui/room.py" line="286"/>
        <source>Pause (Ctrl+P)</source>
        <translation>暂停（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="183"/>
        <source>End interview</source>
        <translation>结束面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="184"/>
        <source>Mic</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="185"/>
        <source>Competencies this question targets (coverage)</source>
        <translation>本题考察的胜任力（证据覆盖）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="186"/>
        <source>STAR in this answer</source>
        <translation>本题回答的 STAR 要素</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="188"/>
        <source>Situation</source>
        <translation>情境</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="189"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="190"/>
        <source>Action</source>
        <translation>行动</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="191"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="195"/>
        <source>Suggested follow-up</source>
        <translation>建议追问</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="196"/>
        <source>Notes / what the candidate said…</source>
        <translation>记录 / 候选人的回答要点…</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="215"/>
        <source>Press Start when the candidate is ready.</source>
        <translation>候选人准备好后点击“开始”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="258"/>
        <source>No recording consent: notes and ratings only.</source>
        <translation>未获得录音录像同意：仅记录笔记和评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="280"/>
        <source>Marked at %1 s</source>
        <translation>已在 %1 秒处标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="286"/>
        <source>Resume (Ctrl+P)</source>
        <translation>继续（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="301"/>
        <source>Interview ended. Rate it on the Ratings page.</source>
        <translation>面试已结束，请在“评分”页评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="333"/>
        <source>No camera: the interview continues without video.</source>
        <translation>没有摄像头：面试照常进行，不录视频。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="336"/>
        <source>No mic</source>
        <translation>无麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="359"/>
        <source>looking at camera</source>
        <translation>注视镜头</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="359"/>
        <source>looking away</source>
        <translation>视线偏离</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="367"/>
        <source>%1 faces in frame</source>
        <translation>画面中有 %1 张人脸</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="384"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="395"/>
        <source>Question %1/%2 · %3 · disk %4 GB free · dropped frames %5</source>
        <translation>第 %1/%2 题 · %3 · 磁盘剩余 %4 GB · 丢帧 %5</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="398"/>
        <source>recording</source>
        <translation>录制中</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="398"/>
        <source>not recording</source>
        <translation>未录制</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="420"/>
        <source>Interview room</source>
        <translation>面试室</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="421"/>
        <source>Record consent first (Consent page), then start.</source>
        <translation>请先在“知情同意”页记录候选人的选择，再开始面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="426"/>
        <source>Question %1 of %2 · %3 min</source>
        <translation>第 %1 题，共 %2 题 · %3 分钟</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="449"/>
        <source>★ from %1: %2</source>
        <translation>★ 依据%1：%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="458"/>
        <source>the résumé</source>
        <translation>简历</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="459"/>
        <source>round-1 notes</source>
        <translation>一面评语</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="460"/>
        <source>training history</source>
        <translation>培训记录</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../app/ui/settings_page.py" line="186"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="188"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="189"/>
        <source>Your name (on ratings)</source>
        <translation>您的姓名（用于评分）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="190"/>
        <source>Hub address</source>
        <translation>中心服务器地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="191"/>
        <source>Camera (index or video file)</source>
        <translation>摄像头（设备序号或视频文件）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="192"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="193"/>
        <source>AI suggestions</source>
        <translation>AI 建议</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="194"/>
        <source>Compliance profile</source>
        <translation>合规配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="195"/>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="202"/>
        <source>empty: work offline</source>
        <translation>留空：离线工作</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="203"/>
        <source>system default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="204"/>
        <source>Show during the interview (default: only afterwards)</source>
        <translation>面试过程中显示（默认仅在面试后显示）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="206"/>
        <source>You are an administrator: the profile applies to new interviews.</source>
        <translation>你是管理员：所选规范适用于新的面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="208"/>
        <source>(set by your organisation; read-only)</source>
        <translation>（由所在组织设定，只读）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="210"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="211"/>
        <source>Camera and microphone check</source>
        <translation>摄像头和麦克风检查</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="212"/>
        <source>Mic</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="214"/>
        <source>On-device models</source>
        <translation>本机模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="216"/>
        <source>Model</source>
        <translation>模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="216"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="216"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="218"/>
        <source>Check models</source>
        <translation>检查模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="219"/>
        <source>Kiosk mode (recruiting fairs)</source>
        <translation>自助面试模式（招聘会）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="222"/>
        <source>Job</source>
        <translation>岗位</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="222"/>
        <source>Answers</source>
        <translation>作答</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="222"/>
        <source>Interviewer PIN (to exit)</source>
        <translation>面试官 PIN 码（用于退出）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="226"/>
        <source>Timed (the question&apos;s planned minutes)</source>
        <translation>限时（按题目计划分钟数）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="227"/>
        <source>4–12 digits</source>
        <translation>4–12 位数字</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="228"/>
        <source>Start kiosk (full screen)</source>
        <translation>启动自助面试（全屏）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="285"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="290"/>
        <source>Stop preview</source>
        <translation>停止预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="290"/>
        <source>Preview</source>
        <translation>预览</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="319"/>
        <source>Speak: the bar should move.</source>
        <translation>请说话：音量条应该跳动。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="321"/>
        <source>No picture</source>
        <translation>无画面</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="391"/>
        <source>Checking the models…</source>
        <translation>正在检查模型…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="397"/>
        <source>ready</source>
        <translation>就绪</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="407"/>
        <source>Analyse queued kiosk answers (%1)</source>
        <translation>分析排队中的自助面试回答（%1）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="436"/>
        <source>Analysing kiosk answers…</source>
        <translation>正在分析自助面试回答…</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="442"/>
        <source>Stopped; %1 answers are still queued.</source>
        <translation>已停止；还有 %1 个回答在排队。</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="448"/>
        <source>Analysed %1 answers.</source>
        <translation>已分析 %1 个回答。</translation>
    </message>
</context>
<context>
    <name>SignalTrack</name>
    <message>
        <location filename="../../app/ui/review.py" line="101"/>
        <source>Marks</source>
        <translation>标记点</translation>
    </message>
    <message>
        <location filename="../../app/ui/review.py" line="115"/>
        <source>not stored under this profile</source>
        <translation>当前合规规范下不保存</translation>
    </message>
</context>
</TS>
