<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
<context>
    <name>CandidatePage</name>
    <message>
        <location filename="../../app/ui/candidate.py" line="60"/>
        <source>Résumé</source>
        <translation>简历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="61"/>
        <source>Round 1</source>
        <translation>一面</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="62"/>
        <source>Competency model</source>
        <translation>胜任力模型</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="65"/>
        <source>Competency</source>
        <translation>胜任力</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="66"/>
        <source>Weight</source>
        <translation>权重</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="67"/>
        <source>Bar</source>
        <translation>要求</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="68"/>
        <source>What level 8 looks like</source>
        <translation>8 分行为表现</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="71"/>
        <source>Open a candidate from Home (double-click).</source>
        <translation>请在首页双击打开一位候选人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="80"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="93"/>
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="94"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="95"/>
        <source>City</source>
        <translation>城市</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="97"/>
        <source>Education</source>
        <translation>学历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="101"/>
        <source>Experience</source>
        <translation>工作年限</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="102"/>
        <source> years</source>
        <translation> 年</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="106"/>
        <source>Skills</source>
        <translation>技能</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="107"/>
        <source>Career goal</source>
        <translation>职业规划</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="112"/>
        <source>Work</source>
        <translation>工作经历</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="120"/>
        <source>Project</source>
        <translation>项目</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="131"/>
        <source>passed</source>
        <translation>通过</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="131"/>
        <source>not passed</source>
        <translation>未通过</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="134"/>
        <source>Job</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="135"/>
        <source>Score</source>
        <translation>分数</translation>
    </message>
    <message>
        <location filename="../../app/ui/candidate.py" line="138"/>
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
        <location filename="../../app/ui/dashboard.py" line="113"/>
        <source>%1 interviews rated for this job.</source>
        <translation>该职位已评分的面试：%1 场。</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="121"/>
        <source>Export</source>
        <translation>导出</translation>
    </message>
    <message>
        <location filename="../../app/ui/dashboard.py" line="131"/>
        <source>Exported to %1</source>
        <translation>已导出到 %1</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <location filename="../../app/ui/home.py" line="71"/>
        <source>Interviews</source>
        <translation>面试安排</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="73"/>
        <source>Search candidates: name, phone, e-mail, school, skills…</source>
        <translation>搜索候选人：姓名、手机、邮箱、学校、技能…</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="75"/>
        <source>Today only</source>
        <translation>仅看今天</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="78"/>
        <source>Time</source>
        <translation>时间</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="79"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="80"/>
        <source>Job</source>
        <translation>职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="81"/>
        <source>Interviewer</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="82"/>
        <source>Status</source>
        <translation>状态</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="83"/>
        <source>Location</source>
        <translation>地点</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="88"/>
        <source>Name</source>
        <translation>姓名</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="89"/>
        <source>Phone</source>
        <translation>手机</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="90"/>
        <source>E-mail</source>
        <translation>邮箱</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="91"/>
        <source>School</source>
        <translation>学校</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="92"/>
        <source>Skills</source>
        <translation>技能</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="95"/>
        <source>Candidates</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="105"/>
        <source>All jobs</source>
        <translation>全部职位</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="117"/>
        <source>Offline: everything stays on this laptop</source>
        <translation>离线：所有数据仅保存在本机</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="120"/>
        <source>Hub: %1 (not synced yet)</source>
        <translation>中心服务器：%1（尚未同步）</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="135"/>
        <source>Scheduled</source>
        <translation>已安排</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="136"/>
        <source>In progress</source>
        <translation>进行中</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="137"/>
        <source>Completed</source>
        <translation>已完成</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="138"/>
        <source>Interrupted</source>
        <translation>已中断</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="139"/>
        <source>Cancelled</source>
        <translation>已取消</translation>
    </message>
    <message>
        <location filename="../../app/ui/home.py" line="155"/>
        <source>No interviews match. Interviews arrive from the hub at the next sync, or run `roundtwo demo` for a sample.</source>
        <translation>没有符合条件的面试。面试安排会在下次同步时从中心服务器获取，也可以运行 `roundtwo demo` 载入示例。</translation>
    </message>
</context>
<context>
    <name>MainWindow</name>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="89"/>
        <source>RoundTwo — structured second-round interviews</source>
        <translation>二面 RoundTwo — 结构化二面面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="95"/>
        <source>Home</source>
        <translation>首页</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="96"/>
        <source>Candidate</source>
        <translation>候选人</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="97"/>
        <source>Consent</source>
        <translation>知情同意</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="98"/>
        <source>Interview</source>
        <translation>面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="100"/>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="99"/>
        <source>Ratings</source>
        <translation>评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="101"/>
        <source>Dashboard</source>
        <translation>看板</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="102"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="108"/>
        <source>Data: %1 · v%2</source>
        <translation>数据：%1 · v%2</translation>
    </message>
    <message>
        <location filename="../../app/ui/mainwindow.py" line="115"/>
        <source>Some job profiles could not be loaded: </source>
        <translation>部分职位配置无法加载：</translation>
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
        <location filename="../../app/ui/report.py" line="62"/>
        <source>Competency</source>
        <translation>胜任力</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="63"/>
        <source>Interviewers</source>
        <translation>面试官</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="64"/>
        <source>Bar</source>
        <translation>要求</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="65"/>
        <source>AI suggestion</source>
        <translation>AI 建议</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="66"/>
        <source>Result</source>
        <translation>结论</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="69"/>
        <source>Open an interview from Home (double-click).</source>
        <translation>请在首页双击打开一场面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="72"/>
        <source>AI suggestions are advisory and shown after the interview; the interviewers&apos; ratings are the decision. Nobody is rejected automatically.</source>
        <translation>AI 建议仅供参考，默认在面试结束后显示；以面试官的评分为准，系统不会自动淘汰任何人。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="94"/>
        <source>Report</source>
        <translation>报告</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="105"/>
        <source>Job match: no ratings yet</source>
        <translation>岗位匹配度：尚无评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="109"/>
        <source>Job match: %1% (threshold %2%)</source>
        <translation>岗位匹配度：%1%（门槛 %2%）</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="120"/>
        <source>meets the bar</source>
        <translation>达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="121"/>
        <source>below the bar</source>
        <translation>未达标</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="122"/>
        <source>not rated</source>
        <translation>未评分</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="125"/>
        <source>AI differs by 2+ levels</source>
        <translation>AI 与面试官相差 ≥2 级</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="139"/>
        <source>Training gaps (most consequential first): </source>
        <translation>培训差距（影响最大的在前）：</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="146"/>
        <source>No gaps against the job&apos;s bars.</source>
        <translation>各项胜任力均达到岗位要求。</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="160"/>
        <source>Evidence behind the suggestions</source>
        <translation>建议背后的证据</translation>
    </message>
    <message>
        <location filename="../../app/ui/report.py" line="177"/>
        <source>No evidence recorded yet.</source>
        <translation>尚无记录的证据。</translation>
    </message>
</context>
<context>
    <name>RoomPage</name>
    <message>
        <location filename="../../app/ui/room.py" line="143"/>
        <source>Start</source>
        <translation>开始</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="144"/>
        <source>◀ Previous</source>
        <translation>◀ 上一题</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="145"/>
        <source>Next ▶ (Ctrl+→)</source>
        <translation>下一题 ▶（Ctrl+→）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="146"/>
        <source>Mark (Ctrl+M)</source>
        <translation>标记（Ctrl+M）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="147"/>
        <location filename="../../app/ui/room.py" line="241"/>
        <source>Pause (Ctrl+P)</source>
        <translation>暂停（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="148"/>
        <source>End interview</source>
        <translation>结束面试</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="149"/>
        <source>Mic</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="150"/>
        <source>Competencies this question targets (coverage)</source>
        <translation>本题考察的胜任力（证据覆盖）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="151"/>
        <source>STAR in this answer</source>
        <translation>本题回答的 STAR 要素</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="153"/>
        <source>Situation</source>
        <translation>情境</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="154"/>
        <source>Task</source>
        <translation>任务</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="155"/>
        <source>Action</source>
        <translation>行动</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="156"/>
        <source>Result</source>
        <translation>结果</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="160"/>
        <source>Suggested follow-up</source>
        <translation>建议追问</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="161"/>
        <source>Notes / what the candidate said…</source>
        <translation>记录 / 候选人的回答要点…</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="177"/>
        <source>Press Start when the candidate is ready.</source>
        <translation>候选人准备好后点击“开始”。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="213"/>
        <source>No recording consent: notes and ratings only.</source>
        <translation>未获得录音录像同意：仅记录笔记和评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="235"/>
        <source>Marked at %1 s</source>
        <translation>已在 %1 秒处标记</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="241"/>
        <source>Resume (Ctrl+P)</source>
        <translation>继续（Ctrl+P）</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="256"/>
        <source>Interview ended. Rate it on the Ratings page.</source>
        <translation>面试已结束，请在“评分”页评分。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="288"/>
        <source>No camera: the interview continues without video.</source>
        <translation>没有摄像头：面试照常进行，不录视频。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="291"/>
        <source>No mic</source>
        <translation>无麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="314"/>
        <source>looking at camera</source>
        <translation>注视镜头</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="314"/>
        <source>looking away</source>
        <translation>视线偏离</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="322"/>
        <source>%1 faces in frame</source>
        <translation>画面中有 %1 张人脸</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="336"/>
        <source>paused</source>
        <translation>已暂停</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="347"/>
        <source>Question %1/%2 · %3 · disk %4 GB free · dropped frames %5</source>
        <translation>第 %1/%2 题 · %3 · 磁盘剩余 %4 GB · 丢帧 %5</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="350"/>
        <source>recording</source>
        <translation>录制中</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="350"/>
        <source>not recording</source>
        <translation>未录制</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="372"/>
        <source>Interview room</source>
        <translation>面试室</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="373"/>
        <source>Record consent first (Consent page), then start.</source>
        <translation>请先在“知情同意”页记录候选人的选择，再开始面试。</translation>
    </message>
    <message>
        <location filename="../../app/ui/room.py" line="378"/>
        <source>Question %1 of %2 · %3 min</source>
        <translation>第 %1 题，共 %2 题 · %3 分钟</translation>
    </message>
</context>
<context>
    <name>SettingsPage</name>
    <message>
        <location filename="../../app/ui/settings_page.py" line="73"/>
        <source>Settings</source>
        <translation>设置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="75"/>
        <source>Language</source>
        <translation>界面语言</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="76"/>
        <source>Your name (on ratings)</source>
        <translation>您的姓名（用于评分）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="77"/>
        <source>Hub address</source>
        <translation>中心服务器地址</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="78"/>
        <source>Camera (index or video file)</source>
        <translation>摄像头（设备序号或视频文件）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="79"/>
        <source>Microphone</source>
        <translation>麦克风</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="80"/>
        <source>AI suggestions</source>
        <translation>AI 建议</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="81"/>
        <source>Compliance profile</source>
        <translation>合规配置</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="82"/>
        <source>Data directory</source>
        <translation>数据目录</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="89"/>
        <source>empty: work offline</source>
        <translation>留空：离线工作</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="90"/>
        <source>system default</source>
        <translation>系统默认</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="91"/>
        <source>Show during the interview (default: only afterwards)</source>
        <translation>面试过程中显示（默认仅在面试后显示）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="95"/>
        <source>(set by your organisation; read-only)</source>
        <translation>（由所在组织设定，只读）</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="97"/>
        <source>Save</source>
        <translation>保存</translation>
    </message>
    <message>
        <location filename="../../app/ui/settings_page.py" line="126"/>
        <source>Saved.</source>
        <translation>已保存。</translation>
    </message>
</context>
</TS>
