"""Task contexts: an application domain crossed with a setting (web handler, CLI, script, data job)."""

from __future__ import annotations

from dataclasses import dataclass

SETTINGS: tuple[str, ...] = ("web", "cli", "script", "job")


@dataclass(frozen=True)
class Domain:
    """One application domain: what the code is about and the names it uses."""

    key: str
    app: str  # short description of the product, e.g. "a recipe-sharing site"
    noun: str  # singular record name, a valid identifier
    fields: tuple[str, str, str]  # three column names
    folder: str  # where its files live on disk
    ext: str  # typical file extension of its files
    host: str  # an internal service host name

    @property
    def plural(self) -> str:
        return self.noun[:-1] + "ies" if self.noun.endswith("y") else self.noun + "s"

    @property
    def table(self) -> str:
        return self.plural


@dataclass(frozen=True)
class Context:
    """A domain in a setting: the unit of variety for generated tasks."""

    domain: Domain
    setting: str

    @property
    def key(self) -> str:
        return f"{self.domain.key}/{self.setting}"

    def describe(self) -> str:
        d = self.domain
        if self.setting == "web":
            return f"A Flask web service for {d.app}"
        if self.setting == "cli":
            return f"A command-line tool that administrators of {d.app} use to manage {d.plural}"
        if self.setting == "script":
            return f"A maintenance script for {d.app} that works on {d.plural}"
        return f"A nightly batch job for {d.app} that processes exported {d.noun} records"


def _d(key: str, app: str, noun: str, fields: str, folder: str, ext: str, host: str) -> Domain:
    a, b, c = fields.split()
    return Domain(key, app, noun, (a, b, c), folder, ext, host)


# fmt: off
_ALL_DOMAINS: tuple[Domain, ...] = (
    _d("recipes", "a recipe-sharing site", "recipe", "title author servings", "/srv/recipes/uploads", ".md", "recipes.internal"),
    _d("invoices", "a small-business invoicing app", "invoice", "number customer total", "/var/billing/invoices", ".pdf", "billing.internal"),
    _d("tickets", "an IT helpdesk", "ticket", "subject requester status", "/srv/helpdesk/attachments", ".txt", "helpdesk.local"),
    _d("photos", "a photo gallery", "photo", "caption album owner", "/srv/gallery/images", ".jpg", "gallery.internal"),
    _d("workouts", "a fitness tracker", "workout", "kind duration calories", "/data/fitness/logs", ".csv", "fitness-api.local"),
    _d("books", "a neighbourhood library catalogue", "book", "title isbn shelf", "/srv/library/scans", ".pdf", "catalogue.internal"),
    _d("events", "a community events calendar", "event", "name venue starts_at", "/srv/calendar/files", ".ics", "calendar.internal"),
    _d("patients", "a veterinary clinic's records system", "patient", "name species owner", "/srv/clinic/records", ".json", "clinic-db.local"),
    _d("orders", "an online bakery shop", "order", "customer item quantity", "/var/shop/orders", ".json", "shop.internal"),
    _d("songs", "a music streaming hobby project", "song", "title artist album", "/srv/music/library", ".mp3", "music.local"),
    _d("courses", "an online course platform", "course", "title teacher level", "/srv/courses/material", ".zip", "lms.internal"),
    _d("listings", "a rental listings board", "listing", "address rent bedrooms", "/srv/rentals/photos", ".png", "listings.internal"),
    _d("shipments", "a warehouse logistics dashboard", "shipment", "tracking carrier weight", "/var/logistics/labels", ".pdf", "logistics.local"),
    _d("surveys", "a survey builder", "survey", "title owner closes_at", "/srv/surveys/exports", ".csv", "surveys.internal"),
    _d("notes", "a personal note-taking app", "note", "title body tags", "/srv/notes/store", ".txt", "notes.local"),
    _d("tasks", "a team to-do list", "task", "title assignee due", "/srv/todo/attachments", ".txt", "todo.internal"),
    _d("reviews", "a restaurant review site", "review", "restaurant rating text", "/srv/reviews/media", ".jpg", "reviews.internal"),
    _d("bookings", "a hotel booking system", "booking", "guest room nights", "/var/hotel/bookings", ".json", "hotel.local"),
    _d("plants", "a plant-care reminder service", "plant", "species room watered_at", "/srv/plants/photos", ".jpg", "garden.local"),
    _d("expenses", "an expense tracker", "expense", "amount category spent_on", "/var/expenses/receipts", ".png", "expenses.internal"),
    _d("podcasts", "a podcast hosting service", "episode", "title show duration", "/srv/podcasts/audio", ".mp3", "podcasts.internal"),
    _d("jobs", "a job board", "posting", "title company salary", "/srv/jobs/resumes", ".pdf", "jobs.internal"),
    _d("vehicles", "a fleet management tool", "vehicle", "plate model mileage", "/var/fleet/docs", ".pdf", "fleet.local"),
    _d("sensors", "a home-automation hub", "sensor", "name room reading", "/var/homehub/data", ".csv", "hub.local"),
    _d("students", "a school grade book", "student", "name grade homeroom", "/srv/school/reports", ".pdf", "school.internal"),
    _d("members", "a gym membership system", "member", "name plan joined", "/srv/gym/cards", ".png", "gym.local"),
    _d("articles", "a news blog", "article", "headline author published", "/srv/blog/posts", ".html", "cms.internal"),
    _d("products", "an inventory tracker for a hardware store", "product", "sku name stock", "/var/inventory/sheets", ".csv", "inventory.local"),
    _d("trips", "a travel itinerary planner", "trip", "destination departs returns", "/srv/travel/docs", ".pdf", "trips.internal"),
    _d("donations", "a charity donation portal", "donation", "donor amount campaign", "/var/charity/receipts", ".pdf", "donate.internal"),
    _d("pets", "a pet adoption site", "pet", "name breed age", "/srv/adoption/photos", ".jpg", "adopt.local"),
    _d("games", "a board-game club organiser", "game", "title players owner", "/srv/boardgames/rules", ".pdf", "club.local"),
    _d("contracts", "a contract management tool", "contract", "party value expires", "/var/legal/contracts", ".pdf", "legal.internal"),
    _d("builds", "a continuous-integration dashboard", "build", "branch commit status", "/var/ci/artifacts", ".log", "ci.internal"),
    _d("datasets", "a research data catalogue", "dataset", "name owner rows", "/data/catalogue/files", ".parquet", "datacat.internal"),
    _d("tenants", "a property management portal", "tenant", "name unit lease_end", "/srv/property/leases", ".pdf", "property.local"),
    _d("volunteers", "a volunteer scheduling app", "volunteer", "name shift skills", "/srv/volunteers/forms", ".pdf", "volunteer.local"),
    _d("wines", "a wine cellar inventory", "wine", "label vintage region", "/srv/cellar/labels", ".jpg", "cellar.local"),
    _d("flights", "a flight-school logbook", "flight", "aircraft pilot hours", "/var/logbook/records", ".csv", "logbook.internal"),
    _d("meetings", "a meeting-room scheduler", "meeting", "room organiser starts_at", "/srv/rooms/minutes", ".txt", "rooms.internal"),
    _d("assets", "an IT asset register", "asset", "tag owner location", "/var/assets/reports", ".csv", "assets.internal"),
    _d("quotes", "an insurance quote service", "quote", "customer premium cover", "/var/insurance/quotes", ".pdf", "quotes.internal"),
    _d("parcels", "a parcel locker network", "parcel", "locker code recipient", "/var/lockers/logs", ".log", "lockers.local"),
    _d("recordings", "a call-centre QA tool", "recording", "agent caller length", "/srv/callcentre/audio", ".wav", "qa.internal"),
    _d("harvests", "a farm yield tracker", "harvest", "crop field tonnes", "/data/farm/yields", ".csv", "farm.local"),
    _d("prescriptions", "a pharmacy refill service", "prescription", "patient drug refills", "/var/pharmacy/scripts", ".pdf", "pharmacy.internal"),
    _d("newsletters", "a newsletter tool", "newsletter", "subject audience sent_at", "/srv/mail/drafts", ".html", "mailer.internal"),
    _d("bikes", "a bike-sharing scheme", "bike", "station battery status", "/var/bikes/telemetry", ".json", "bikes.local"),
    _d("permits", "a city parking permit office", "permit", "plate zone valid_until", "/srv/permits/scans", ".pdf", "permits.internal"),
    _d("citations", "a reference manager for researchers", "citation", "title authors year", "/srv/refs/pdfs", ".pdf", "refs.local"),
    _d("auctions", "an online auction house", "lot", "title reserve seller", "/srv/auction/images", ".jpg", "auction.internal"),
    _d("menus", "a cafe menu editor", "dish", "name price allergens", "/srv/cafe/menus", ".json", "cafe.local"),
    _d("repairs", "a bicycle repair shop queue", "repair", "customer bike problem", "/srv/repairs/photos", ".jpg", "repairs.local"),
    _d("lessons", "a music-lesson booking app", "lesson", "student instrument slot", "/srv/lessons/sheets", ".pdf", "lessons.internal"),
    _d("claims", "a warranty claims portal", "claim", "product serial reason", "/var/warranty/uploads", ".png", "claims.internal"),
    _d("rosters", "a sports league manager", "player", "name team position", "/srv/league/rosters", ".csv", "league.local"),
    _d("feeds", "an RSS reader", "feed", "title url category", "/srv/reader/cache", ".xml", "reader.local"),
    _d("certificates", "a training certificate issuer", "certificate", "holder course issued", "/var/certs/issued", ".pdf", "certs.internal"),
    _d("tables", "a restaurant reservation system", "reservation", "guest party_size time", "/var/restaurant/bookings", ".json", "reserve.local"),
    _d("comics", "a web comic archive", "strip", "title issue published", "/srv/comics/pages", ".png", "comics.local"),
    _d("leases", "an equipment rental desk", "rental", "item renter due_back", "/srv/rentals/contracts", ".pdf", "rentals.local"),
    _d("apiaries", "a beekeeping log", "hive", "site queen_year strength", "/data/bees/inspections", ".csv", "hives.local"),
    _d("chores", "a family chore chart", "chore", "name assignee points", "/srv/chores/data", ".json", "chores.local"),
    _d("maps", "a hiking trail map site", "trail", "name length difficulty", "/srv/trails/gpx", ".gpx", "trails.internal"),
    _d("scores", "a quiz app", "score", "player quiz points", "/srv/quiz/results", ".csv", "quiz.local"),
    _d("alerts", "a server monitoring dashboard", "alert", "service severity message", "/var/monitor/alerts", ".log", "monitor.internal"),
    _d("uploads", "a file-drop service for a design agency", "upload", "client filename size", "/srv/drop/files", ".zip", "drop.internal"),
    _d("wikis", "a team wiki", "page", "title author updated", "/srv/wiki/pages", ".md", "wiki.internal"),
    _d("grants", "a grant application portal", "application", "applicant amount stage", "/var/grants/forms", ".pdf", "grants.internal"),
    _d("tools", "a makerspace tool library", "tool", "name location borrower", "/srv/makerspace/manuals", ".pdf", "makers.local"),
    _d("kiosks", "a museum kiosk content manager", "exhibit", "title room curator", "/srv/museum/media", ".mp4", "museum.internal"),
    _d("carpools", "a carpool matching app", "ride", "driver seats departs", "/srv/carpool/data", ".json", "carpool.local"),
    _d("tutors", "a tutoring marketplace", "tutor", "name subject rate", "/srv/tutors/profiles", ".jpg", "tutors.internal"),
    _d("stores", "a coupon and loyalty app", "coupon", "code discount expires", "/var/loyalty/coupons", ".csv", "loyalty.local"),
    # held out from training generation (see heldout.py)
    _d("aquariums", "an aquarium maintenance log", "tank", "name litres ph", "/data/aquarium/logs", ".csv", "aqua.local"),
    _d("choirs", "a choir rehearsal planner", "rehearsal", "venue piece starts_at", "/srv/choir/scores", ".pdf", "choir.internal"),
    _d("observatory", "an amateur astronomy observation log", "observation", "target telescope seeing", "/data/astro/frames", ".fits", "astro.local"),
    _d("breweries", "a home-brewing batch tracker", "batch", "style gravity brewed_on", "/data/brew/sheets", ".csv", "brew.local"),
    _d("marathons", "a race registration system", "runner", "name bib category", "/srv/race/results", ".csv", "race.internal"),
    _d("pottery", "a pottery studio kiln scheduler", "firing", "kiln cone loaded_at", "/srv/kiln/logs", ".log", "kiln.local"),
    _d("ferries", "a ferry ticketing office", "ticket_sale", "route passenger sails_at", "/var/ferry/manifests", ".csv", "ferry.internal"),
    _d("greenhouses", "a greenhouse climate controller", "zone", "name humidity setpoint", "/var/greenhouse/data", ".json", "greenhouse.local"),
    _d("translations", "a subtitle translation workspace", "subtitle", "language film editor", "/srv/subs/files", ".srt", "subs.internal"),
    _d("laundromat", "a laundromat machine tracker", "machine", "number cycle status", "/var/laundry/logs", ".log", "laundry.local"),
    _d("archives", "a family-history archive", "ancestor", "name born parish", "/srv/genealogy/scans", ".tif", "genealogy.local"),
    _d("escape", "an escape-room booking site", "room_booking", "team room slot", "/srv/escape/waivers", ".pdf", "escape.internal"),
)
# fmt: on

HELDOUT_KEYS: frozenset[str] = frozenset(
    {
        "aquariums",
        "choirs",
        "observatory",
        "breweries",
        "marathons",
        "pottery",
        "ferries",
        "greenhouses",
        "translations",
        "laundromat",
        "archives",
        "escape",
    }
)

TRAIN_DOMAINS: tuple[Domain, ...] = tuple(d for d in _ALL_DOMAINS if d.key not in HELDOUT_KEYS)
HELDOUT_DOMAINS: tuple[Domain, ...] = tuple(d for d in _ALL_DOMAINS if d.key in HELDOUT_KEYS)


def contexts(domains: tuple[Domain, ...] = TRAIN_DOMAINS) -> list[Context]:
    """Every (domain, setting) pair, in a fixed order."""
    return [Context(d, s) for d in domains for s in SETTINGS]
