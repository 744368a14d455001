package simulate

// Name pools for the simulated organisation. Common given names and
// surnames: combined at random they name nobody in particular.

var givenNames = []string{
	"Aaron", "Abigail", "Adam", "Adrian", "Aisha", "Alan", "Alex", "Alice", "Amelia", "Amir",
	"Ana", "Andrea", "Andrew", "Anna", "Anton", "Ben", "Bianca", "Brian", "Camila", "Carl",
	"Carlos", "Caroline", "Chen", "Chloe", "Chris", "Claire", "Daniel", "David", "Diana", "Diego",
	"Dmitri", "Elena", "Eli", "Emily", "Emma", "Eric", "Eva", "Fatima", "Felix", "Fiona",
	"Frank", "Gabriel", "Grace", "Hannah", "Hassan", "Helen", "Henry", "Ian", "Isabel", "Ivan",
	"Jack", "James", "Jana", "Jasmine", "Javier", "Jessica", "Joao", "John", "Jonas", "Julia",
	"Kai", "Karen", "Kate", "Kenji", "Laura", "Leo", "Liam", "Lina", "Lucas", "Lucy",
	"Maria", "Mark", "Marta", "Mateo", "Maya", "Mei", "Michael", "Mohammed", "Nadia", "Nathan",
	"Nina", "Noah", "Olga", "Oliver", "Omar", "Paul", "Petra", "Priya", "Rachel", "Rahul",
	"Ravi", "Rebecca", "Robert", "Rosa", "Ryan", "Samir", "Sara", "Sean", "Sofia", "Sophie",
	"Stefan", "Susan", "Tara", "Thomas", "Tim", "Tom", "Uma", "Victor", "Wei", "Will",
	"Yara", "Yusuf", "Zoe", "Zara",
}

var surnames = []string{
	"Adams", "Ahmed", "Alvarez", "Anderson", "Baker", "Bauer", "Becker", "Bennett", "Brown", "Campbell",
	"Carter", "Chen", "Clarke", "Cohen", "Collins", "Cooper", "Costa", "Davies", "Diaz", "Dubois",
	"Edwards", "Evans", "Farrell", "Fernandez", "Fischer", "Garcia", "Gomez", "Green", "Hall", "Harris",
	"Hill", "Hoffmann", "Hughes", "Ibrahim", "Jackson", "James", "Jensen", "Johnson", "Jones", "Kaur",
	"Khan", "Kim", "King", "Klein", "Kowalski", "Kumar", "Larsen", "Lee", "Lewis", "Li",
	"Lopez", "Martin", "Martinez", "Meyer", "Miller", "Mitchell", "Moore", "Morgan", "Muller", "Murphy",
	"Nakamura", "Nguyen", "Novak", "Okafor", "Olsen", "Park", "Patel", "Perez", "Petrov", "Phillips",
	"Price", "Reed", "Richter", "Roberts", "Robinson", "Rossi", "Santos", "Sato", "Schmidt", "Schneider",
	"Scott", "Shah", "Silva", "Singh", "Smith", "Sousa", "Stewart", "Suzuki", "Tanaka", "Taylor",
	"Thomas", "Thompson", "Turner", "Wagner", "Walker", "Wang", "Ward", "Watson", "White", "Williams",
	"Wilson", "Wood", "Wright", "Yamamoto", "Young", "Zhang",
}

type department struct {
	name   string
	weight float64
	titles []string
}

var departments = []department{
	{"Sales", 20, []string{"Account Executive", "Sales Manager", "Sales Representative", "Business Development Manager"}},
	{"Engineering", 20, []string{"Software Engineer", "Senior Software Engineer", "QA Engineer", "Engineering Manager", "DevOps Engineer"}},
	{"Marketing", 10, []string{"Marketing Specialist", "Content Manager", "Product Marketing Manager"}},
	{"Operations", 12, []string{"Operations Analyst", "Project Manager", "Logistics Coordinator"}},
	{"Customer Support", 12, []string{"Support Engineer", "Customer Success Manager", "Support Team Lead"}},
	{"Human Resources", 5, []string{"HR Business Partner", "Recruiter", "HR Generalist"}},
	{"Legal", 3, []string{"Legal Counsel", "Paralegal"}},
}

// Word pools for documents, subjects and in-house names.
var docWords = []string{
	"Budget", "Forecast", "Report", "Minutes", "Proposal", "Contract", "Invoice", "Roadmap", "Plan", "Review",
	"Summary", "Onboarding", "Pricing", "Quarterly", "Sales", "Marketing", "Design", "Requirements", "Status", "Policy",
	"Handbook", "Inventory", "Payroll", "Audit", "Strategy", "Timeline", "Estimate", "Survey", "Training", "Customer",
}

var docExts = []string{".docx", ".xlsx", ".pptx", ".pdf", ".docx", ".xlsx", ".txt", ".csv", ".docx", ".pdf"}

var subjectWords = []string{
	"Re: Q3 forecast", "Meeting notes", "Weekly status update", "Action items from today", "Invoice attached",
	"Re: contract draft", "Lunch on Friday?", "Updated roadmap", "FW: customer escalation", "Training reminder",
	"Re: budget approval", "Project kickoff", "Your order has shipped", "Newsletter: product updates",
	"Re: hiring plan", "Agenda for tomorrow", "Quick question", "Re: pricing proposal", "Security awareness training",
	"Expense report approved", "Out of office", "Re: release schedule", "Webinar invitation", "Document shared with you",
}

// Words for the long tail of rarely seen internet hosts.
var tailWords = []string{
	"alpha", "amber", "apex", "arc", "atlas", "beacon", "birch", "bloom", "bolt", "bright",
	"cedar", "cloud", "coast", "comet", "core", "crest", "data", "delta", "echo", "ember",
	"field", "flow", "forge", "fox", "frame", "galaxy", "grid", "harbor", "hive", "horizon",
	"iris", "jade", "kite", "lake", "leaf", "lumen", "maple", "matrix", "meadow", "mesa",
	"metro", "nova", "oak", "orbit", "pixel", "polar", "prism", "pulse", "quartz", "quest",
	"rapid", "ridge", "river", "rocket", "sage", "scale", "signal", "spark", "stone", "summit",
	"terra", "tide", "trail", "union", "vector", "vista", "wave", "willow", "zen", "zephyr",
}

var tailSuffixes = []string{"labs", "media", "soft", "shop", "news", "tech", "cloud", "apps", "cdn", "io", "hub", "works"}

// Vendors of the long tail of rarely run programs.
var tailVendors = []string{"Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Tyrell", "Cyberdyne", "Soylent", "Hooli"}

var tailProducts = []string{"Updater", "Helper", "Setup", "Installer", "Agent", "Viewer", "Sync", "Launcher", "Converter", "Tool"}
