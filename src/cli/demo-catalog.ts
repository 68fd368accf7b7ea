import { SEED_CATEGORIES } from '../db/migrate.js';

/** Deterministic pseudo-random numbers (mulberry32): the demo catalog is the same on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Kind {
  nouns: string[];
  /** Price range in whole currency units (log-uniform between them). */
  min: number;
  max: number;
  serialized?: boolean;
}

// Five nouns per category × ten adjectives = 50 unique names per category, 1,000 in all.
const KINDS: Record<string, Kind> = {
  Electronics: {
    nouns: ['Headphones', 'Bluetooth Speaker', 'Smartwatch', 'Power Bank', 'Webcam'],
    min: 15,
    max: 400,
    serialized: true,
  },
  Fashion: {
    nouns: ['Denim Jacket', 'Linen Shirt', 'Wool Scarf', 'Leather Belt', 'Sneakers'],
    min: 12,
    max: 180,
  },
  Home: {
    nouns: ['Table Lamp', 'Throw Blanket', 'Ceramic Vase', 'Wall Clock', 'Cutting Board'],
    min: 8,
    max: 150,
  },
  Beauty: {
    nouns: ['Face Serum', 'Hand Cream', 'Lip Balm', 'Hair Dryer', 'Makeup Brush Set'],
    min: 4,
    max: 120,
  },
  Sports: {
    nouns: ['Yoga Mat', 'Football', 'Tennis Racket', 'Water Bottle', 'Running Shorts'],
    min: 6,
    max: 220,
  },
  Books: { nouns: ['Cookbook', 'Travel Guide', 'Novel', 'Notebook Journal', 'Atlas'], min: 5, max: 60 },
  Toys: { nouns: ['Building Blocks', 'Puzzle', 'Plush Bear', 'Toy Car', 'Kite'], min: 5, max: 90 },
  Groceries: {
    nouns: ['Olive Oil', 'Coffee Beans', 'Green Tea', 'Dark Chocolate', 'Honey'],
    min: 2,
    max: 40,
  },
  Automotive: {
    nouns: ['Dash Camera', 'Car Vacuum', 'Tire Inflator', 'Seat Cover', 'Phone Mount'],
    min: 10,
    max: 250,
    serialized: true,
  },
  Tools: {
    nouns: ['Cordless Drill', 'Screwdriver Set', 'Tape Measure', 'Hammer', 'Work Light'],
    min: 6,
    max: 300,
  },
  Pets: { nouns: ['Dog Leash', 'Cat Tree', 'Pet Bed', 'Chew Toy', 'Food Bowl'], min: 4, max: 160 },
  Jewelry: {
    nouns: ['Silver Ring', 'Pendant Necklace', 'Stud Earrings', 'Bracelet', 'Wristwatch'],
    min: 20,
    max: 900,
    serialized: true,
  },
  Music: {
    nouns: ['Acoustic Guitar', 'Ukulele', 'Guitar Strings', 'Keyboard Stand', 'Microphone'],
    min: 8,
    max: 700,
    serialized: true,
  },
  Movies: {
    nouns: ['Blu-ray Box Set', 'Documentary DVD', 'Film Poster', 'Classic Film 4K', 'Animated Feature'],
    min: 6,
    max: 80,
  },
  Gaming: {
    nouns: ['Game Controller', 'Gaming Mouse', 'Mechanical Keyboard', 'Headset', 'Console Stand'],
    min: 15,
    max: 500,
    serialized: true,
  },
  Health: {
    nouns: ['Vitamin D3', 'Digital Thermometer', 'First Aid Kit', 'Massage Gun', 'Protein Powder'],
    min: 5,
    max: 200,
  },
  Baby: {
    nouns: ['Baby Monitor', 'Stroller Organizer', 'Teething Ring', 'Baby Blanket', 'Bottle Warmer'],
    min: 5,
    max: 250,
  },
  Office: {
    nouns: ['Desk Organizer', 'Ergonomic Chair', 'Monitor Stand', 'Gel Pens', 'Whiteboard'],
    min: 3,
    max: 450,
  },
  Industrial: {
    nouns: ['Safety Goggles', 'Work Gloves', 'Storage Bin', 'Cable Ties', 'Label Printer'],
    min: 3,
    max: 350,
  },
  Software: {
    nouns: ['Photo Editor License', 'Antivirus Suite', 'Office Suite', 'VPN Subscription', 'Backup Tool'],
    min: 10,
    max: 300,
  },
};

const ADJECTIVES = [
  'Classic',
  'Compact',
  'Deluxe',
  'Eco',
  'Essential',
  'Premium',
  'Pro',
  'Smart',
  'Ultra',
  'Vintage',
];
const QUALITIES = [
  'durable',
  'lightweight',
  'beautifully made',
  'easy to use',
  'long-lasting',
  'award-winning',
];
const AUDIENCES = ['everyday use', 'gifting', 'travel', 'professionals', 'families', 'beginners'];

export interface DemoVariant {
  sku: string;
  /** One value per option, in option order. */
  values: string[];
  price_cents: number;
  stock: number;
}

export interface DemoProduct {
  name: string;
  description: string;
  price_cents: number;
  stock: number;
  category: string;
  /** Every tenth product goes on one of the demo offers. */
  offerIndex: number | null;
  /** Serial numbers when the product is sold as serialized units. */
  serials: string[];
  ageHours: number;
  /** Apparel (Color × Size) and shoes (Size); none for a product with one default variant. */
  options: Array<{ name: string; values: string[] }>;
  variants: DemoVariant[];
}

const COLORS = ['Black', 'Navy', 'Red'];
const APPAREL_SIZES = ['S', 'M', 'L', 'XL'];
const SHOE_SIZES = ['38', '39', '40', '41', '42', '43', '44', '45'];
const APPAREL = new Set(['Denim Jacket', 'Linen Shirt', 'Running Shorts']);
const SHOES = new Set(['Sneakers']);

/**
 * The options and variants of a demo product that has them: deterministic from its index (no
 * draw from the shared random sequence, so every other product stays as it was). XL costs 2.00
 * more; a few combinations are sold out.
 */
function demoVariants(noun: string, index: number, cents: number): Pick<DemoProduct, 'options' | 'variants'> {
  const combos = APPAREL.has(noun)
    ? COLORS.flatMap((color) => APPAREL_SIZES.map((size) => [color, size]))
    : SHOES.has(noun)
      ? SHOE_SIZES.map((size) => [size])
      : [];
  if (combos.length === 0) return { options: [], variants: [] };
  const options = APPAREL.has(noun)
    ? [
        { name: 'Color', values: COLORS },
        { name: 'Size', values: APPAREL_SIZES },
      ]
    : [{ name: 'Size', values: SHOE_SIZES }];
  const prefix = `DEMO-${String(index).padStart(4, '0')}`;
  return {
    options,
    variants: combos.map((values, k) => ({
      sku: `${prefix}-${values.join('-').toUpperCase()}`,
      values,
      price_cents: values.includes('XL') ? cents + 200 : cents,
      stock: (index * 31 + k * 17) % 25 < 3 ? 0 : ((index * 31 + k * 17) % 25) + 1,
    })),
  };
}

export const DEMO_OFFERS = [
  { name: 'Demo: Spring Sale', discount_bp: 1000 },
  { name: 'Demo: Clearance', discount_bp: 1500 },
  { name: 'Demo: Member Deal', discount_bp: 2000 },
];

/** The 1,000 demo products, the same on every run. */
export function demoProducts(): DemoProduct[] {
  const random = prng(20260501);
  const products: DemoProduct[] = [];
  for (const category of SEED_CATEGORIES) {
    const kind = KINDS[category]!;
    for (const noun of kind.nouns) {
      for (const adjective of ADJECTIVES) {
        const index = products.length;
        const units = Math.exp(Math.log(kind.min) + random() * (Math.log(kind.max) - Math.log(kind.min)));
        const cents = Math.max(1, Math.round(units) * 100 - [1, 1, 51, 5][index % 4]!);
        const serialized = kind.serialized === true && index % 7 === 0;
        const stock = random() < 0.05 ? 0 : Math.floor(random() * 200) + 1;
        products.push({
          name: `${adjective} ${noun}`,
          description:
            `A ${QUALITIES[index % QUALITIES.length]} ${noun.toLowerCase()} from our ${category.toLowerCase()} range, ` +
            `made for ${AUDIENCES[(index * 7) % AUDIENCES.length]}. ${adjective} edition.`,
          price_cents: cents,
          stock: serialized ? 0 : stock,
          category,
          offerIndex: index % 10 === 3 ? index % DEMO_OFFERS.length : null,
          serials: serialized
            ? Array.from(
                { length: 2 + (index % 9) },
                (_, n) => `DEMO-${String(index).padStart(4, '0')}-${n + 1}`,
              )
            : [],
          ageHours: (SEED_CATEGORIES.length * 50 - index) * 8,
          ...demoVariants(noun, index, cents),
        });
      }
    }
  }
  return products;
}
