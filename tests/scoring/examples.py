"""Hand-written answers for the property tests: specific STAR answers and vague ones, per job."""

from __future__ import annotations

# (job, question, lang, specific STAR answer)
SPECIFIC: list[tuple[str, str, str, str]] = [
    (
        "internet-product-manager",
        "q03",
        "zh",
        "去年十月我负责会员中心的续费提醒功能。当时续费率只有31%，老板想直接上线全量推送。"
        "我先定义了续费率为核心指标、退订率为护栏指标，设计了为期两周的AB测试，两组各4万用户。"
        "实验中我发现渠道结构不一样，就按渠道做了分层对比，排除了双十一流量的干扰。"
        "最终实验组续费率高了2.4个百分点，但退订率也涨了0.8个点，所以我决定只对近30天活跃用户上线。"
        "回头看，我应该更早和运营对齐推送频次。",
    ),
    (
        "internet-product-manager",
        "q03",
        "en",
        "Last October I owned the renewal reminder feature in the membership centre. Renewal was "
        "only 31% and my manager wanted to push it to everyone straight away. I defined renewal "
        "rate as the primary metric and unsubscribe rate as a guardrail, and designed a two-week "
        "A/B test with 40,000 users per arm. I noticed the channel mix differed, so I compared "
        "results by channel to rule out Singles' Day traffic. The test arm renewed 2.4 points "
        "higher, but unsubscribes rose 0.8 points, so I decided to launch only to users active "
        "in the last 30 days. Looking back, I should have agreed the send frequency with "
        "operations earlier.",
    ),
    (
        "production-supervisor",
        "q04",
        "zh",
        "2023年我在冲压车间带夜班，3号线换型时间平均要52分钟，是整条线的瓶颈工序。"
        "我带着两名班长用秒表录像，把换型动作拆成内部作业和外部作业，发现有一半时间在找工装。"
        "我比较了买快换夹具和改工装定置两个方案，考虑到预算，先做了工装定置和换型清单。"
        "三个月后换型时间降到24分钟，OEE从61%提升到72%。这套做法后来推广到了另外两条线。",
    ),
    (
        "production-supervisor",
        "q04",
        "en",
        "In 2023 I ran the night shift in the stamping shop, where changeover on line 3 averaged "
        "52 minutes and was the bottleneck. I filmed the changeovers with two team leads and "
        "split every step into internal and external work, and found half the time went on "
        "looking for tooling. I compared buying quick-change clamps with fixed tool locations "
        "and, given the budget, started with tool locations and a changeover checklist. Three "
        "months later changeover was down to 24 minutes and OEE rose from 61% to 72%. The "
        "approach was later rolled out to two other lines.",
    ),
    (
        "retail-store-manager",
        "q02",
        "zh",
        "前年我接手杭州西湖店时，连续三个月业绩只完成目标的82%。我先拉了客流和成交数据，"
        "发现客流没降，是转化率从18%掉到了13%，晚上七点到九点最明显。"
        "我调整了排班，把两名销售骨干挪到晚班，又每天晨会做十分钟话术演练。"
        "同时我放弃了总部的满减活动，改成会员专属搭配推荐，因为我们店的老客占六成。"
        "两个月后转化率回到17%，客单价提高了9%，当季完成了目标的104%。",
    ),
    (
        "retail-store-manager",
        "q02",
        "en",
        "Two years ago I took over a store that had hit only 82% of target for three months "
        "running. I pulled footfall and sales data and saw footfall had held up, but conversion "
        "had fallen from 18% to 13%, worst between 7 and 9 pm. I changed the rota to move two "
        "of my strongest sellers onto the evening shift and ran ten minutes of role-play in "
        "every morning huddle. I also dropped head office's discount promotion in favour of "
        "member-only outfit suggestions, because regulars made up 60% of our sales. Two months "
        "later conversion was back to 17%, average transaction value was up 9%, and we finished "
        "the quarter at 104% of target.",
    ),
    (
        "risk-control-analyst",
        "q02",
        "zh",
        "去年三月我在做月度逾期复盘时，发现某个导流渠道的首期逾期率是其他渠道的2.3倍。"
        "我用SQL拉了近半年的申请数据，按设备指纹和联系人做了关联分析，发现有一批申请共用了同一批设备。"
        "我判断这是团伙欺诈，但为了不误伤正常客户，我比较了直接拒绝和加人工核查两种策略，最后选择先对命中的申请加人工核查。"
        "上线一个月后，该渠道首期逾期率从6.1%降到2.4%，通过率只下降了0.5个百分点。"
        "这个规则后来被加入了反欺诈策略库。",
    ),
    (
        "risk-control-analyst",
        "q02",
        "en",
        "Last March, during the monthly delinquency review, I noticed one referral channel had "
        "a first-payment default rate 2.3 times the others. I used SQL to pull six months of "
        "applications and linked them by device fingerprint and contacts, and found a batch of "
        "applications sharing the same devices. I judged it to be organised fraud, but to avoid "
        "hurting genuine customers I compared an outright decline with a manual review and "
        "chose manual review for matching applications first. A month after launch the "
        "channel's first-payment default fell from 6.1% to 2.4%, while the approval rate "
        "dropped only 0.5 points. The rule was later added to the fraud strategy library.",
    ),
]

VAGUE: dict[str, list[str]] = {
    "zh": [
        "我觉得这个问题非常重要，我们一直坚持以用户为中心，打造极致体验，形成闭环。"
        "我学习能力很强，抗压能力也很强，和大家配合得都挺好的。总之就是要多沟通、多协调，赋能业务，降本增效。",
        "这个嘛，我认为态度决定一切，细节决定成败。我们团队非常重视数据和质量，大家都很有责任心。"
        "反正最后效果挺好的，领导也很满意。",
    ],
    "en": [
        "I think this is really important. We always put the user first, stay data-driven and "
        "close the loop to deliver a world-class experience. I am a fast learner, I work well "
        "under pressure and everyone got along really well. Basically you need to communicate "
        "more and empower the business.",
        "Well, I believe attitude is everything and details make the difference. Our team "
        "really values data and quality and everyone is very responsible. Anyway it turned out "
        "fine and my manager was quite happy.",
    ],
}

FILLER: dict[str, str] = {
    "zh": "那天天气很好，路上也不堵。我平时喜欢跑步和看电影。公司楼下有一家咖啡店，味道还不错。",
    "en": "The weather was nice that day and traffic was light. In my spare time I like running "
    "and watching films. There is a coffee shop downstairs from the office that is quite good.",
}
