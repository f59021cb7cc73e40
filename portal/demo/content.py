"""What the demo's meetings are about: agenda items, notes and decisions, in Swedish.

Data, not rules: each body gets the opening items, some of its own topics (taken in turn
from ``TOPICS``, so that two meetings of a body differ) and the closing items. The topics
follow what the seeds give each body to do; the rule ids say where (SEED_RULES.md).
Placeholders: ``{body}``, ``{area}`` (the strategic area, lower case), ``{year}``,
``{next_year}``, ``{next_year_2}``, ``{place}``, ``{principal}`` (a local group's
municipality), ``{checkers}``, ``{present}`` and ``{called}``.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Topic:
    kind: str  # an AgendaItemKind value
    title: str
    description: str = ""
    notes: str = ""
    decision: str = ""
    recommendation: str = ""
    presenter: str = ""  # "chair", "secretary", "rapporteur" (V5) or a text
    minutes: int = 20
    prepares: bool = False  # prepared for the body's ``prepares_for`` (a preparation item)
    paper: str = ""  # the title of the paper attached before the meeting, if any


# The formalia: the same titles as the bodies' standard agenda (governance.standard_agenda,
# the presets' ``standard_agenda``), which every new meeting starts with; the demo fills
# in who presents them and what the minutes say.
OPENING = [
    Topic("information", "Mötets öppnande", presenter="chair", minutes=5,
          notes="Ordföranden öppnade mötet."),
    Topic("decision", "Val av justerare", presenter="chair", minutes=5,
          decision="Till justerare valdes {checkers}."),
    Topic("decision", "Godkännande av dagordningen", minutes=5,
          decision="Dagordningen godkändes."),
]
# The first item of the meeting's own (after the formalia and the election item, H13).
AFTER_OPENING = [
    Topic("information", "Föregående mötes minnesanteckningar", presenter="secretary", minutes=5,
          notes="Minnesanteckningarna från föregående möte gicks igenom och lades till "
                "handlingarna."),
]
CLOSING = [
    Topic("information", "Övriga frågor", minutes=10, notes="Inga övriga frågor anmäldes."),
    Topic("information", "Mötets avslutande", presenter="chair", minutes=5,
          notes="Ordföranden tackade deltagarna och avslutade mötet."),
]

SUMMARY = ("Mötet hölls i {place}. {present} av {called} kallade deltog. Minnesanteckningarna "
           "justeras av {checkers}.")

TOPICS: dict[str, list[Topic]] = {
    # --- HälSam (seeds 000, 001, 003) ---------------------------------------------------
    "halsam-theme": [
        Topic("dialogue", "Temamöte {area}: uppföljning av tjänstepersonernas samverkan",
              "Länssamordningsgruppen för {area} redovisar årets arbete, målen för det "
              "gemensamma utvecklingsarbetet och behoven från den lokala nivån (H7, H18).",
              notes="Länssamordningsgruppens ordförande redovisade årets arbete. Ledamöterna "
                    "lyfte behovet av tidiga och samordnade insatser och av att goda exempel "
                    "sprids mellan kommunerna.",
              presenter="Länssamordningsgruppens ordförande", minutes=60,
              paper="Lägesrapport {area} {year}"),
        Topic("decision", "Rekommendation till huvudmännen: gemensam handlingsplan för {area}",
              "Länsledningen har berett ett förslag till gemensam handlingsplan. HälSam "
              "rekommenderar; varje huvudman beslutar själv (H26).",
              notes="Förslaget presenterades av länsledningens ordförande. Ledamöterna förankrar "
                    "ärendet med majoritet och opposition i sina organisationer (H28).",
              decision="HälSam rekommenderar huvudmännen att anta den gemensamma "
                       "handlingsplanen för {area}.",
              recommendation="Att respektive huvudman antar den gemensamma handlingsplanen för "
                             "{area} {next_year}–{next_year_2}.\nBeslutet ska skickas till "
                             "HälSams samverkanskoordinator.",
              presenter="Länsledningens ordförande", minutes=40,
              paper="Förslag till gemensam handlingsplan för {area}"),
    ],
    "halsam-joint": [
        Topic("dialogue", "God och nära vård – gemensamma frågor för alla områden",
              "Övergripande samverkansfrågor för barn och unga, vuxna och äldre (H7).",
              notes="Dialog i grupper om omställningen till God och nära vård och om hur "
                    "skolan kan involveras tidigare.", minutes=90,
              paper="God och nära vård i Västernorrland – nuläge"),
        Topic("decision", "Prioriterade samverkansområden {next_year}",
              "Länsledningens förslag till prioriteringar inför nästa år.",
              notes="Förslaget diskuterades. Psykisk hälsa och tidiga insatser för barn och "
                    "unga lyftes särskilt.",
              decision="HälSam ställer sig bakom de prioriterade samverkansområdena för "
                       "{next_year}.", presenter="Länsledningens ordförande", minutes=45),
    ],
    "halsam-presidium": [
        Topic("preparation", "Beredning av dagordningen till HälSams nästa möte",
              "Presidiet planerar och bereder ärendena till HälSam (H4, H8).",
              notes="Presidiet gick igenom ärendena och fördelade ansvaret för temamötena.",
              decision="Dagordningen till HälSam bereddes.", prepares=True, presenter="chair"),
        Topic("dialogue", "Kontakten med länssamordningsgrupperna",
              "Ordförandena är kontaktpolitiker för respektive områdes länssamordningsgrupp (H8).",
              notes="Ordförandena berättade om kontakterna med länssamordningsgrupperna."),
    ],
    "presidium": [
        Topic("preparation", "Ärenden till HälSam", "Planering och beredning av ärenden (H9).",
              notes="Länsledningens företrädare presenterade de ärenden som är redo för HälSam.",
              decision="Ärendena bereds vidare till HälSam.", prepares=True, presenter="chair"),
        Topic("information", "Återkoppling av det operativa samverkansarbetet",
              "Länsledningen återkopplar arbetet inom strategiområdena (H9).",
              notes="Återkopplingen togs emot och lades till handlingarna."),
    ],
    "lansledning": [
        Topic("information", "God och nära vård – lägesrapport",
              "Ett av de områden som genomsyrar alla grupper (H30).",
              notes="Lägesrapporten visade att omställningen går framåt i alla kommuner. "
                    "Bemanningen inom primärvården är fortsatt en utmaning.", minutes=30,
              paper="Lägesrapport God och nära vård {year}"),
        Topic("decision", "Gemensam rutin för samordnad individuell plan (SIP)",
              "Förslag till reviderad länsgemensam rutin.",
              notes="Förslaget har remitterats till länssamordningsgrupperna.",
              decision="Länsledningen fastställer rutinen och ger länssamordningsgrupperna i "
                       "uppdrag att stödja implementeringen lokalt.", minutes=30,
              paper="Rutin för samordnad individuell plan (SIP) – förslag"),
        Topic("preparation", "Förslag till överenskommelse om psykisk hälsa",
              "Ärendet bereds inför HälSam (H30).",
              notes="Länsledningen diskuterade förslaget och kompletterade det med skolans "
                    "perspektiv.",
              decision="Ärendet bereds vidare till HälSam.", prepares=True, minutes=30),
        Topic("information", "Uppföljning av länssamordningsgruppernas arbete",
              "Länsledningen bemannar och följer upp grupperna (H17).",
              notes="Ordförandena i länssamordningsgrupperna redovisade läget."),
        Topic("decision", "Uppdrag till lokal samverkan",
              "Avvikelser som rapporterats från den lokala nivån (H22).",
              notes="Tre avvikelser från lokal samverkan redovisades.",
              decision="Länsledningen ger lokal samverkan i uppdrag att följa upp avvikelserna "
                       "och återkomma till nästa möte."),
        Topic("decision", "Mötesfrekvens och årsplanering för {next_year}",
              "Länsledningen fastställer mötesfrekvensen för alla parter (H14, H21).",
              notes="Förslaget utgår från minst fyra möten per år för länsledningen och fem "
                    "för länssamordningsgrupperna.",
              decision="Mötesplanen för {next_year} fastställdes: länsledningen fem möten, "
                       "länssamordningsgrupperna fem möten och lokal samverkan fyra möten.",
              presenter="secretary"),
        Topic("information", "Hjälpmedel och patientsäkerhet",
              "Områden som genomsyrar alla grupper (H30).",
              notes="Information om det länsgemensamma arbetet med hjälpmedel."),
    ],
    "lansamordning": [
        Topic("information", "Omvärldsbevakning: ny lagstiftning och nationella satsningar",
              "Bevakning inom strategiområdet {area} (H15).",
              notes="Gruppen gick igenom de nationella satsningarna som berör {area}."),
        Topic("dialogue", "Behov och goda exempel från lokal samverkan",
              "Behov, förbättringsförslag och goda exempel från kommunerna.",
              notes="Flera goda exempel från kommunerna presenterades och ska spridas.",
              paper="Goda exempel från lokal samverkan – {area}"),
        Topic("decision", "Förslag på mål för utvecklingsarbetet {next_year}",
              "Förslag till länsledningen.",
              notes="Målen utgår från ett förebyggande perspektiv.",
              decision="Gruppen överlämnar förslaget till länsledningen.", prepares=True),
        Topic("information", "Uppföljning av överenskommelser inom {area}",
              notes="Uppföljningen visar att implementeringen har kommit olika långt."),
        Topic("decision", "Arbetsgrupp för samordnade insatser",
              "Gruppen tillsätter styr- och arbetsgrupper vid behov (H32).",
              notes="Behovet av en tidsbegränsad arbetsgrupp diskuterades.",
              decision="En arbetsgrupp tillsätts och återrapporterar till gruppen i juni."),
    ],
    "lokal": [
        Topic("information", "Aktuellt från {principal} och regionen",
              notes="Kommunen och regionen informerade om förändringar i verksamheterna."),
        Topic("dialogue", "Brister och avvikelser i samverkan kring {area}",
              "Avvikelser som inte kunnat lösas direkt rapporteras till länsledningen (H22).",
              notes="Två avvikelser diskuterades. En rapporteras vidare till länsledningen.",
              paper="Sammanställning av avvikelser – {principal}"),
        Topic("decision", "Lokal tillämpning av rutinen för samordnad individuell plan",
              notes="Rutinen har börjat tillämpas och följs upp i gruppen.",
              decision="Gruppen följer upp tillämpningen vid nästa möte."),
        Topic("information", "Uppdrag från länsledningen",
              "Länsledningen ger uppdrag till lokal samverkan (H22).",
              notes="Uppdraget gicks igenom och ansvar fördelades."),
    ],
    # --- Västerbotten (seed 004) --------------------------------------------------------
    "samrad-vard-och-omsorg": [
        Topic("decision", "Ärende berett av Länssamverkansgruppen: länsgemensam "
                          "hjälpmedelspolicy",
              "Ärenden till Samrådet bereds i Länssamverkansgruppen, vars ordförande är "
              "föredragande (V5).",
              notes="Föredraganden presenterade Länssamverkansgruppens förslag.",
              decision="Samrådet rekommenderar parterna att anta policyn.",
              recommendation="Att respektive part antar den länsgemensamma hjälpmedelspolicyn.",
              presenter="rapporteur", minutes=40, paper="Länsgemensam hjälpmedelspolicy"),
        Topic("decision", "Program för det regionala ledningsseminariet",
              "Samrådet fastställer programmet (V6).",
              notes="Länssamverkansgruppen och koordinatorerna har tagit fram ett förslag.",
              decision="Programmet fastställdes.", presenter="rapporteur"),
        Topic("information", "Uppföljning av samverkansstrukturen mot effektmålen",
              "Uppföljningen mot effektmålen (V15).",
              notes="Koordinatorerna redovisade uppföljningen.", presenter="secretary"),
        Topic("dialogue", "Frågor att bereda till Regionledningsmötet",
              "Frågor som behöver diskuteras på en mer övergripande nivå (V18).",
              notes="Inga frågor bedömdes behöva lyftas till Regionledningsmötet."),
    ],
    "samrad-arbetsutskott": [
        Topic("preparation", "Förberedelse av Samrådets dagordning",
              "Arbetsutskottet förbereder agendan (V4).",
              notes="Ordförande och vice ordförande gick igenom ärendena.",
              decision="Dagordningen till Samrådet bereddes.", prepares=True),
    ],
    "lansamverkansgruppen": [
        Topic("preparation", "Ärenden till Samråd för vård och omsorg",
              "Länssamverkansgruppen bereder ärenden till Samrådet (V5).",
              notes="Gruppen gick igenom förslaget till hjälpmedelspolicy.",
              decision="Ärendet bereds vidare till Samrådet.", prepares=True, minutes=30,
              paper="Länsgemensam hjälpmedelspolicy – underlag för beredning"),
        Topic("decision", "Rutin för ärendeflödet i linjeorganisationen",
              "Länssamverkansgruppen beslutar om rutinen (V20).",
              notes="Förslaget till rutin diskuterades.", decision="Rutinen fastställdes."),
        Topic("decision", "Beredningarnas uppdrag och bemanning",
              "Uppdrag och bemanning revideras minst vartannat år (V11).",
              notes="Uppdragen för beredningarna för barn och unga och för vuxna och äldre "
                    "sågs över.",
              decision="De reviderade uppdragen fastställdes."),
        Topic("information", "Planering av det regionala ledningsseminariet",
              "Gruppen planerar seminariet med koordinatorerna (V6, V19).",
              notes="Förslag till tema och talare presenterades.", presenter="secretary"),
        Topic("information", "Rapport från Hjälpmedelsrådet och Samverkansråd för "
                             "patientsäkerhet",
              "Rådens ordförande adjungeras vid behov (V12).",
              notes="Råden rapporterade om sitt arbete."),
    ],
    "lsg-arbetsutskott": [
        Topic("preparation", "Förberedelse av Länssamverkansgruppens dagordning",
              "Arbetsutskottet förbereder LSG:s agenda (V9).",
              notes="Ärendena prioriterades.", decision="Dagordningen bereddes.",
              prepares=True),
    ],
    "ledningsseminarium": [
        Topic("dialogue", "Prioriterade utvecklingsområden {next_year}",
              "Seminariet kommer överens om vilka samverkansområden som prioriteras (V19).",
              notes="Deltagarna enades om tre prioriterade utvecklingsområden.", minutes=120),
        Topic("dialogue", "Uppföljning av årets prioriteringar",
              notes="Länssamverkansgruppen redovisade hur årets prioriteringar följts upp.",
              minutes=60),
    ],
    # --- Jämtland Härjedalen (seed 002) ---------------------------------------------------
    "pahsu": [
        Topic("dialogue", "Gemensamt prioriterade insatsområden",
              "PaHSU identifierar och prioriterar insatsområden (J4).",
              notes="Arenan diskuterade insatsområden för barns och ungas skolgång och hälsa."),
        Topic("decision", "Rekommendationsbeslut till huvudmännen",
              "PaHSU kan fatta rekommendationsbeslut till huvudmännen (J4).",
              notes="Förslaget har beretts av TaHSU.",
              decision="PaHSU rekommenderar huvudmännen att anta förslaget.",
              recommendation="Att respektive huvudman antar förslaget."),
        Topic("information", "Resultatet av den årliga enkäten",
              "Enkäten initieras av samverkansledarna (J8).",
              notes="Samverkansledarna redovisade enkätens resultat."),
    ],
    "tahsu": [
        Topic("preparation", "Frågor till PaHSU", "TaHSU bereder frågor till PaHSU (J5).",
              notes="Frågorna till PaHSU gicks igenom.", decision="Frågorna bereds till PaHSU.",
              prepares=True),
        Topic("decision", "Övergripande riktlinjer",
              "TaHSU beslutar i frågor som inte kräver politisk förankring (J5).",
              notes="Förslaget diskuterades.", decision="Riktlinjen fastställdes."),
        Topic("decision", "Stödjande nätverk",
              "TaHSU beslutar om gemensamma grupperingar och följer upp dem (J6).",
              notes="Behovet av en tillfällig arbetsgrupp diskuterades.",
              decision="En tillfällig arbetsgrupp tillsätts."),
    ],
    "pahsu-tahsu-seminarium": [
        Topic("dialogue", "Tillsammans för god hälsa hela livet",
              "Gemensamt samverkansseminarium för PaHSU och TaHSU (J2).",
              notes="Politiker och tjänstepersoner diskuterade målbilden.", minutes=120),
    ],
}
# Bodies of these kinds with no topics of their own use these.
BY_KIND = {"political": "pahsu", "officials_board": "tahsu", "presidium": "presidium",
           "county_group": "lansamordning", "local_group": "lokal",
           "seminar": "pahsu-tahsu-seminarium"}

# Paper bodies: the paragraphs of a generated paper (underlag), by nothing but its title.
PAPER_TEXT = [
    "Detta underlag är framtaget inför mötet av sekretariatet i samverkan med berörda "
    "verksamheter. Det sammanfattar nuläget, de frågor som behöver diskuteras och ett "
    "förslag till fortsatt arbete.",
    "Bakgrunden är det gemensamma uppdraget att skapa tidiga, sammanhållna, tillgängliga och "
    "personcentrerade insatser. Samverkan bygger på invånarnas behov; beslut fattas hos "
    "respektive huvudman.",
    "Förslaget har stämts av med företrädare för kommunerna och regionen. Synpunkter som "
    "kommit in under beredningen har arbetats in i texten.",
]
