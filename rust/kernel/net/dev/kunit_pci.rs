// SPDX-License-Identifier: GPL-2.0

//! KUnit tests of the abstractions that need a bound, DMA-capable device: [`MapSlot`],
//! [`PagePool`] with the packets built on its pages, and the teardown order of a
//! [`Registration`].
//!
//! A test binds a PCI driver of its own to the first free Intel 82574L (the device of the
//! re1000e rig; QEMU's `-device e1000e`) and runs its scenario in `probe`, where the device is
//! bound and its DMA setup (a bounce buffer under `swiotlb=force`, an IOMMU domain) is the
//! driver's. The device is never told about the buffers: the tests play the device by writing
//! and reading the memory it would reach at a bus address, so a sync that misses part of a
//! buffer shows as stale bytes whenever DMA is bounced. Without a free 82574L the tests are
//! skipped.
//!
//! A failed check in `probe` cannot stop the test there (KUnit's assertions end the thread,
//! and the driver core holds the device lock): the scenario returns the line of the first
//! failed check, which the test asserts on after unbinding.
//!
//! [`MapSlot`]: crate::net::skb::MapSlot

use crate::{
    bindings,
    device::{
        self,
        Core, //
    },
    device_id::IdArray,
    dma::DmaAddress,
    driver,
    irq::IrqReturn,
    net::{
        dev::{
            Config,
            Device,
            Driver,
            IrqPlan,
            Registration,
            Rtnl,
            TxResult,
            Xmit, //
        },
        ethtool,
        features::Features,
        napi::{
            Budget,
            Napi,
            NapiPoll,
            Poll, //
        },
        page_pool::{
            BufLayout,
            PagePool,
            PAGE_SIZE, //
        },
        skb::{
            DropReason,
            MapSlot,
            SkBuff, //
        },
    },
    pci,
    prelude::*,
    sync::atomic::{
        Atomic,
        Relaxed, //
    },
    ThisModule,
};

/// The scenario the next probe runs.
static SCENARIO: Atomic<u32> = Atomic::new(0);
/// Whether a device was claimed by the current registration of the test driver.
static CLAIMED: Atomic<bool> = Atomic::new(false);
/// Line of the first failed check of the scenario, 0 if all passed.
static FAILED_AT: Atomic<u32> = Atomic::new(u32::MAX);
/// What the private data saw when it was dropped: the device's `reg_state`, and whether its
/// interrupt still had a handler.
static DROPPED: Atomic<bool> = Atomic::new(false);
static DROP_REG_STATE: Atomic<u32> = Atomic::new(u32::MAX);
static DROP_IRQ_ACTION: Atomic<bool> = Atomic::new(true);
/// Whether NAPI could be enabled before the device was registered.
static ENABLED_EARLY: Atomic<bool> = Atomic::new(true);

const MAP: u32 = 1;
const POOL: u32 = 2;
const TEARDOWN: u32 = 3;
const DEVLINK: u32 = 4;

/// The test driver is built in: no module owns it.
// SAFETY: a NULL module pointer is what built-in code registers drivers with.
static THIS_MODULE: ThisModule = unsafe { ThisModule::from_ptr(core::ptr::null_mut()) };

static PCI_IDS: IdArray<pci::DeviceId, (), 1> =
    IdArray::new([(pci::DeviceId::from_id(pci::Vendor::INTEL, 0x10d3), &())]);

/// Fails the scenario at this line unless `$cond` holds.
macro_rules! check {
    ($cond:expr) => {
        if !$cond {
            pr_err!(
                "rust_net_dev_dma: check failed at line {}: {}\n",
                line!(),
                stringify!($cond)
            );
            return Err(line!());
        }
    };
}

/// Unwraps `$r` or fails the scenario at this line.
macro_rules! need {
    ($r:expr) => {
        match $r {
            Ok(v) => v,
            Err(e) => {
                pr_err!(
                    "rust_net_dev_dma: {} failed at line {}: {:?}\n",
                    stringify!($r),
                    line!(),
                    e
                );
                return Err(line!());
            }
        }
    };
}

/// The byte at `i` of test pattern `seed`.
fn pat(seed: u8, i: usize) -> u8 {
    (i as u8).wrapping_mul(31).wrapping_add(seed)
}

/// The kernel address of the memory the device reaches at `addr`, if it is lowmem.
fn device_ptr(dev: &device::Device<device::Bound>, addr: DmaAddress) -> Option<*mut u8> {
    // SAFETY: `dev` is bound to the test driver, which runs this.
    let va = unsafe { bindings::netdev_kunit_device_view(dev.as_raw(), addr) };
    (!va.is_null()).then_some(va.cast::<u8>())
}

/// Whether the device sees pattern `seed` in the `len` bytes at `addr`.
///
/// The callers pass live mappings of `len` bytes that nothing else uses meanwhile (the device
/// is never told about them).
fn device_sees(dev: &device::Device<device::Bound>, addr: DmaAddress, len: u32, seed: u8) -> bool {
    let Some(p) = device_ptr(dev, addr) else {
        return false;
    };
    // SAFETY: `p` is the lowmem address of a live mapping of `len` bytes (the callers').
    let v = unsafe { core::slice::from_raw_parts(p, len as usize) };
    v.iter().enumerate().all(|(i, b)| *b == pat(seed, i))
}

/// Plays the device: writes pattern `seed` into the `len` bytes at `addr`.
///
/// The callers pass pool pages of at least `len` bytes lent to the device, which nothing else
/// uses meanwhile.
fn device_writes(
    dev: &device::Device<device::Bound>,
    addr: DmaAddress,
    len: u32,
    seed: u8,
) -> bool {
    let Some(p) = device_ptr(dev, addr) else {
        return false;
    };
    // SAFETY: `p` is the lowmem address of `len` bytes the device owns (the callers').
    let v = unsafe { core::slice::from_raw_parts_mut(p, len as usize) };
    v.iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = pat(seed, i));
    true
}

/// A network driver that does nothing but exist: the scenarios need a registered device and
/// a NAPI instance for their page pools.
struct TestNet;

#[pin_data(PinnedDrop)]
struct TestPriv {
    #[pin]
    napi: Napi,
    /// The `net_device`, to read its state when dropped.
    raw: usize,
    /// The interrupt the registration requested.
    irq: Atomic<u32>,
}

#[pinned_drop]
impl PinnedDrop for TestPriv {
    fn drop(self: Pin<&mut Self>) {
        // SAFETY: the private data is dropped before its device is freed.
        let state = unsafe { (*(self.raw as *mut bindings::net_device)).reg_state };
        DROP_REG_STATE.store(u32::from(state), Relaxed);
        // SAFETY: plain query of the interrupt descriptor.
        let action = unsafe { bindings::irq_has_action(self.irq.load(Relaxed)) };
        DROP_IRQ_ACTION.store(action, Relaxed);
        DROPPED.store(true, Relaxed);
    }
}

#[vtable]
impl Driver for TestNet {
    type Priv<'a> = TestPriv;

    fn start_xmit<'a>(
        skb: SkBuff,
        _dev: &'a Device,
        _this: Pin<&'a TestPriv>,
        _xmit: &Xmit<'a>,
    ) -> TxResult {
        skb.drop_reason(DropReason::NotSpecified);
        TxResult::Ok
    }

    fn poll<'a>(
        _dev: &'a Device,
        _this: Pin<&'a TestPriv>,
        _poll: &Poll<'a>,
        _budget: &mut Budget,
    ) -> NapiPoll {
        NapiPoll::Done
    }

    fn irq<'a>(_dev: &'a Device, _this: Pin<&'a TestPriv>, _slot: u32) -> IrqReturn {
        IrqReturn::None
    }
}

#[vtable]
impl ethtool::Operations for TestNet {}

fn register<'b>(pdev: &'b pci::Device<device::Bound>) -> Result<Registration<'b, TestNet>> {
    let config = Config {
        address: [0x02, 0, 0, 0x52, 0x53, 0x54],
        queues: (1, 1),
        mtu_range: (68, 1500),
        hw_features: Features::EMPTY,
        features: Features::EMPTY,
        vlan_features: Features::EMPTY,
        hw_enc_features: Features::EMPTY,
        mpls_features: Features::EMPTY,
        tso_max_size: 65536,
        tso_max_segs: 64,
        watchdog_ms: 0,
        ptp: None,
    };
    let plan = IrqPlan {
        min: 1,
        max: 1,
        types: pci::IrqTypes::default()
            .with(pci::IrqType::Intx)
            .with(pci::IrqType::Msi)
            .with(pci::IrqType::MsiX),
        names: &[c""],
    };
    let reg = Registration::<TestNet>::new(pdev, &config, &plan, |nd, _info| {
        let raw = nd.as_raw() as usize;
        // Made here: the initialiser must not borrow `nd`.
        let napi = Napi::new(nd, 0);
        try_pin_init!(TestPriv {
            napi <- napi,
            raw,
            irq: Atomic::new(0),
        }? Error)
        .pin_chain(|p| {
            // Refused: the device is not registered yet.
            p.napi.enable(&Rtnl::lock());
            ENABLED_EARLY.store(p.napi.is_enabled(), Relaxed);
            Ok(())
        })
    })?;
    if let Some(n) = reg.irq_number(0) {
        reg.priv_data().irq.store(n, Relaxed);
    }
    Ok(reg)
}

/// A packet's linear part and fragments are mapped where the device reads exactly the
/// packet's bytes, and come back unchanged when unmapped.
fn map_scenario(pdev: &pci::Device<Core<'_>>) -> core::result::Result<(), u32> {
    let pdev: &pci::Device<device::Bound> = pdev;
    let dev: &device::Device<device::Bound> = pdev.as_ref();
    let mut skb = need!(SkBuff::alloc(256, GFP_KERNEL));
    let mut data = [0u8; 200];
    data.iter_mut()
        .enumerate()
        .for_each(|(i, b)| *b = pat(7, i));
    need!(skb.put_data(&data));
    let mut m = MapSlot::new(dev);
    check!(m.is_empty() && m.buffers().next().is_none() && m.unmap().is_none());
    if let Err((skb, e)) = m.map(skb) {
        skb.consume();
        need!(Err::<(), Error>(e));
    }
    check!(!m.is_empty() && m.skb().map(SkBuff::len) == Some(200));
    let mut n = 0;
    for (addr, len) in m.buffers() {
        n += 1;
        check!(len == 200);
        check!(device_sees(dev, addr, len, 7));
    }
    check!(n == 1);
    // An occupied slot refuses another packet and hands it back; the one held is untouched.
    let other = need!(SkBuff::alloc(64, GFP_KERNEL));
    match m.map(other) {
        Err((other, e)) => {
            other.consume();
            check!(e == EBUSY);
        }
        Ok(()) => return Err(line!()),
    }
    check!(m.buffers().count() == 1);
    let skb = need!(m.unmap().ok_or(EINVAL));
    check!(skb.head_data() == &data[..]);
    check!(m.is_empty() && m.buffers().next().is_none());
    // The caller's work on the mapped buffers fails: the packet is unmapped and handed back
    // with that error, the slot left empty.
    let skb = match m.map_with(skb, |mut b| {
        if b.next().map(|(_, len)| len) == Some(200) && b.next().is_none() {
            Err::<(), Error>(ENOSPC)
        } else {
            Err(EINVAL)
        }
    }) {
        Err((skb, e)) => {
            check!(e == ENOSPC);
            skb
        }
        Ok(()) => return Err(line!()),
    };
    check!(m.is_empty() && m.buffers().next().is_none());
    // The slot is reused: the same packet maps again, and a slot dropped holding a packet
    // unmaps and frees it (the DMA-API debugging and kmemleak boots would report either).
    if let Err((skb, e)) = m.map(skb) {
        skb.consume();
        need!(Err::<(), Error>(e));
    }
    check!(m.buffers().count() == 1);
    drop(m);
    Ok(())
}

/// Half-page buffers: two buffers of one page at their own bus addresses, each synced,
/// read, built into a packet and charged for its half only, neither touching the other; a
/// buffer handed back after a copy keeps its address; a frame into the shared info refused.
fn split_pool_scenario(
    dev: &device::Device<device::Bound>,
    ndev: &crate::net::dev::Device,
) -> core::result::Result<(), u32> {
    let half = PAGE_SIZE / 2;
    let layout = BufLayout {
        size: half,
        offset: 64,
        max_len: 1526,
    };
    let mut pool = need!(PagePool::new(dev, ndev, 0, 8, layout));
    check!(pool.layout() == layout && pool.offset() == 64 && pool.max_len() == 1526);
    let a = need!(pool.alloc().ok_or(ENOMEM));
    let b = need!(pool.alloc().ok_or(ENOMEM));
    // Two halves of one page: their addresses half a page apart, each at the offset.
    check!(b.dma_address() == a.dma_address() + DmaAddress::from(half));
    check!(device_writes(dev, a.dma_address(), 1526, 3));
    check!(device_writes(dev, b.dma_address(), 1000, 4));
    let (a, b) = (
        need!(a.received(&pool, 1526)),
        need!(b.received(&pool, 1000)),
    );
    check!(a.buf_size() == half && a.offset() == 64);
    check!(b.data().iter().enumerate().all(|(i, x)| *x == pat(4, i)));
    // The second half handed back after its bytes were copied: the same address again.
    let b = need!(b.give_back(&pool));
    let b_addr = b.dma_address();
    check!(device_writes(dev, b_addr, 200, 5));
    let b = need!(b.received(&pool, 200));
    // Packets built on each half, charged half a page (plus the packet), not a page.
    let skb_a = need!(SkBuff::build_from_page(a).map_err(|(_, e)| e));
    let skb_b = need!(SkBuff::build_from_page(b).map_err(|(_, e)| e));
    check!(skb_a.len() == 1526 && skb_b.len() == 200);
    check!(skb_a.truesize() < half + 1024 && skb_b.truesize() < half + 1024);
    check!(skb_a
        .head_data()
        .iter()
        .enumerate()
        .all(|(i, x)| *x == pat(3, i)));
    check!(skb_b
        .head_data()
        .iter()
        .enumerate()
        .all(|(i, x)| *x == pat(5, i)));
    // A fragment from a split page: charged its buffer.
    let mut skb_a = skb_a;
    let c = need!(pool.alloc().ok_or(ENOMEM));
    check!(device_writes(dev, c.dma_address(), 300, 6));
    let before = skb_a.truesize();
    need!(skb_a.add_rx_frag(need!(c.received(&pool, 300))));
    check!(skb_a.truesize() == before + half && skb_a.len() == 1826);
    skb_a.consume();
    skb_b.consume();
    // More than the layout's `max_len`, a buffer of another pool, or a frame into the shared
    // info of a layout whose device bytes reach it: refused.
    let d = need!(pool.alloc().ok_or(ENOMEM));
    check!(d.received(&pool, 1527).err() == Some(EINVAL));
    let mut tight = need!(PagePool::new(
        dev,
        ndev,
        0,
        4,
        BufLayout {
            size: half,
            offset: 0,
            max_len: half,
        }
    ));
    let e = need!(tight.alloc().ok_or(ENOMEM));
    check!(e.received(&pool, 100).err() == Some(EINVAL));
    let e = need!(tight.alloc().ok_or(ENOMEM));
    let e = need!(e.received(&tight, half));
    check!(SkBuff::build_from_page(e).err().map(|(_, e)| e) == Some(EINVAL));
    drop((tight, pool));
    Ok(())
}

/// Pool pages: bus addresses at the pool's offset, what the device wrote synced for the CPU
/// over the whole received length, packets built on them (linear and fragment) carrying
/// exactly those bytes and mapped back for transmit correctly, and every run-time check
/// refusing what it must.
fn pool_scenario(pdev: &pci::Device<Core<'_>>) -> core::result::Result<(), u32> {
    let pdev: &pci::Device<device::Bound> = pdev;
    let dev: &device::Device<device::Bound> = pdev.as_ref();
    let reg = need!(register(pdev));
    let ndev = reg.device();

    // The layout is checked before anything is created: the device's bytes within a buffer,
    // a buffer a power of two from 256 bytes to a page.
    let bad = |size, offset, max_len| {
        let l = BufLayout {
            size,
            offset,
            max_len,
        };
        PagePool::new(dev, ndev, 0, 16, l).err() == Some(EINVAL)
    };
    check!(bad(PAGE_SIZE, 256, PAGE_SIZE - 255));
    check!(bad(PAGE_SIZE, u32::MAX, 2));
    check!(bad(2048, 64, 1985));
    check!(bad(1536, 0, 1500));
    check!(bad(128, 0, 64));
    check!(bad(2 * PAGE_SIZE, 0, 64));

    let mut pool = need!(PagePool::new(
        dev,
        ndev,
        0,
        16,
        BufLayout::whole_page(256, 2048)
    ));
    check!(pool.offset() == 256 && pool.max_len() == 2048);

    // A frame of 1000 bytes written by the device at the page's bus address.
    let page = need!(pool.alloc().ok_or(ENOMEM));
    check!(device_writes(dev, page.dma_address(), 1000, 1));
    let buf = need!(page.received(&pool, 1000));
    check!(buf.len() == 1000 && buf.offset() == 256);
    let mut skb = need!(SkBuff::build_from_page(buf).map_err(|(_, e)| e));
    check!(skb.len() == 1000 && skb.head_len() == 1000);
    check!(skb
        .head_data()
        .iter()
        .enumerate()
        .all(|(i, b)| *b == pat(1, i)));

    // A second buffer of the same frame, as a fragment.
    let page = need!(pool.alloc().ok_or(ENOMEM));
    check!(device_writes(dev, page.dma_address(), 500, 2));
    let buf = need!(page.received(&pool, 500));
    need!(skb.add_rx_frag(buf));
    check!(skb.len() == 1500 && skb.nr_frags() == 1 && skb.frag_len(0) == Some(500));

    // Mapped for transmit, the device reads both parts where they are.
    let mut m = MapSlot::new(dev);
    if let Err((skb, _)) = m.map(skb) {
        skb.consume();
        return Err(line!());
    }
    let mut seen = [0u32; 2];
    for (i, (addr, len)) in m.buffers().enumerate() {
        check!(i < 2);
        check!(device_sees(dev, addr, len, i as u8 + 1));
        seen[i] = len;
    }
    check!(seen == [1000, 500]);
    need!(m.unmap().ok_or(EINVAL)).consume();

    // More than the pool's buffer size: refused, the page goes back to its pool.
    let page = need!(pool.alloc().ok_or(ENOMEM));
    check!(page.received(&pool, 2049).err() == Some(EINVAL));

    // A fragment for a packet that does not recycle pages: refused, the packet unchanged.
    let mut plain = need!(SkBuff::alloc(64, GFP_KERNEL));
    need!(plain.put_data(&[0u8; 14]));
    let page = need!(pool.alloc().ok_or(ENOMEM));
    let buf = need!(page.received(&pool, 100));
    check!(plain.add_rx_frag(buf).err() == Some(EINVAL));
    check!(plain.len() == 14 && plain.nr_frags() == 0);
    plain.consume();

    // A frame that leaves no room for the packet's shared info in the page: refused.
    let mut whole = need!(PagePool::new(
        dev,
        ndev,
        0,
        4,
        BufLayout::whole_page(0, PAGE_SIZE)
    ));
    let page = need!(whole.alloc().ok_or(ENOMEM));
    let buf = need!(page.received(&whole, PAGE_SIZE));
    check!(SkBuff::build_from_page(buf).err().map(|(_, e)| e) == Some(EINVAL));

    // Where bottom halves cannot be turned off (interrupts disabled, as in a hard interrupt
    // handler), neither allocating nor building a packet is done.
    let page = need!(pool.alloc().ok_or(ENOMEM));
    let buf = need!(page.received(&pool, 64));
    let (refused_alloc, refused_build) = {
        let _irqs_off = crate::interrupt::local_interrupt_disable();
        (pool.alloc().is_none(), SkBuff::build_from_page(buf))
    };
    // The buffer comes back with the error, to be returned to its pool with interrupts on.
    let refused_build = match refused_build {
        Err((buf, e)) => {
            drop(buf);
            e == EINVAL
        }
        Ok(skb) => {
            skb.consume();
            false
        }
    };
    check!(refused_alloc && refused_build);
    drop((whole, pool));
    need!(split_pool_scenario(dev, ndev));

    // Byte queue accounting: completions only from the queue's own instance and never more
    // than is outstanding; a reset only with the queue stopped and its instance disabled.
    let q = need!(ndev.tx_queue(0).ok_or(ENODEV));
    let napi = &reg.priv_data().get_ref().napi;
    let poll = Poll::for_test(napi, false);
    check!(q.completed(&poll, 1, 60) == Err(EINVAL));
    {
        let rtnl = Rtnl::lock();
        q.set_napi(&rtnl, Some(napi));
    }
    check!(q.completed(&poll, 1, 60) == Err(EINVAL));
    {
        let rtnl = Rtnl::lock();
        q.start();
        check!(q.reset(&rtnl) == Err(EBUSY));
        q.stop();
        napi.enable(&rtnl);
        check!(napi.is_enabled());
        check!(q.reset(&rtnl) == Err(EBUSY));
        napi.disable(&rtnl);
        check!(q.reset(&rtnl) == Ok(()));
        q.set_napi(&rtnl, None);
    }
    // The private data's initialiser tried to enable NAPI before registration: refused.
    check!(!ENABLED_EARLY.load(Relaxed));
    drop(reg);
    Ok(())
}

/// While registered the device is `NETREG_REGISTERED` with its interrupt requested; see
/// `registration_tears_down_in_order` for the other half.
fn teardown_scenario<'b>(
    pdev: &'b pci::Device<Core<'_>>,
) -> core::result::Result<Registration<'b, TestNet>, u32> {
    let reg = need!(register(pdev));
    let p = reg.priv_data();
    // SAFETY: the device is registered and not freed while `reg` exists.
    let state = unsafe { (*(p.raw as *mut bindings::net_device)).reg_state };
    check!(u32::from(state) == bindings::netdev_reg_state_NETREG_REGISTERED);
    let irq = p.irq.load(Relaxed);
    check!(irq != 0);
    // SAFETY: plain query of the interrupt descriptor.
    check!(unsafe { bindings::irq_has_action(irq) });
    Ok(reg)
}

/// The devlink side of the test: a resource whose occupancy the test sets, and a health
/// reporter that counts what it is asked to do.
struct TestDevlink {
    used: Atomic<u64>,
    recovered: Atomic<u32>,
    tested: Atomic<u32>,
}

fn test_occupancy(t: &TestDevlink) -> u64 {
    t.used.load(Relaxed)
}

#[vtable]
impl crate::net::devlink::Driver for TestDevlink {
    const RESOURCES: &'static [crate::net::devlink::Resource<Self>] =
        &[crate::net::devlink::Resource {
            name: c"test_entries",
            id: 1,
            size: 8,
            occupancy: test_occupancy,
        }];
    const HEALTH: Option<&'static CStr> = Some(c"test");

    fn info(_this: &Self, info: &mut crate::net::devlink::Info<'_>) -> Result {
        info.running(c"fw", c"1.0")
    }

    fn health_recover(this: &Self) -> Result {
        this.recovered.add(1, Relaxed);
        Ok(())
    }

    fn health_diagnose(this: &Self, f: &mut crate::net::devlink::Fmsg<'_>) -> Result {
        f.u64(c"recovered", u64::from(this.recovered.load(Relaxed)));
        Ok(())
    }

    fn health_test(this: &Self) -> Result {
        this.tested.add(1, Relaxed);
        Ok(())
    }
}

/// A devlink instance with a resource and a health reporter: registered, its resource's
/// size held by the core, a report recovered through the driver, everything undone on drop.
fn devlink_scenario(pdev: &pci::Device<Core<'_>>) -> core::result::Result<(), u32> {
    let pdev: &pci::Device<device::Bound> = pdev;
    let dev: &device::Device<device::Bound> = pdev.as_ref();
    let data = need!(crate::sync::Arc::new(
        TestDevlink {
            used: Atomic::new(3),
            recovered: Atomic::new(0),
            tested: Atomic::new(0),
        },
        GFP_KERNEL
    ));
    let dl = need!(crate::net::devlink::Registration::new(dev, data));
    check!(dl.resource_size(1) == Ok(8));
    check!(dl.resource_size(2).is_err());
    check!(test_occupancy(dl.data()) == 3);
    // Reported: the core recovers through the driver at once (no grace period).
    check!(dl.health_report(c"test fault") == Ok(()));
    check!(dl.data().recovered.load(Relaxed) == 1);
    drop(dl);
    Ok(())
}

/// The test PCI driver: claims the first free 82574L and runs the scenario there.
struct TestPci;

impl pci::Driver for TestPci {
    type IdInfo = ();
    type Data<'bound> = Option<Registration<'bound, TestNet>>;

    const ID_TABLE: pci::IdTable<()> = &PCI_IDS;

    fn probe<'bound>(
        pdev: &'bound pci::Device<Core<'_>>,
        _info: Option<&'bound ()>,
    ) -> impl PinInit<Self::Data<'bound>, Error> + 'bound {
        if CLAIMED.xchg(true, Relaxed) {
            return Err(ENODEV);
        }
        let (failed, data) = match SCENARIO.load(Relaxed) {
            MAP => (map_scenario(pdev).err(), None),
            POOL => (pool_scenario(pdev).err(), None),
            DEVLINK => (devlink_scenario(pdev).err(), None),
            TEARDOWN => match teardown_scenario(pdev) {
                Ok(reg) => (None, Some(reg)),
                Err(line) => (Some(line), None),
            },
            _ => (Some(line!()), None),
        };
        FAILED_AT.store(failed.unwrap_or(0), Relaxed);
        Ok(data)
    }
}

/// Registers the test driver for `scenario`, lets it bind, and unbinds it. Returns whether a
/// device was claimed; if none was, the running test is marked skipped.
fn run(scenario: u32) -> Result<bool> {
    SCENARIO.store(scenario, Relaxed);
    CLAIMED.store(false, Relaxed);
    FAILED_AT.store(u32::MAX, Relaxed);
    DROPPED.store(false, Relaxed);
    let reg = KBox::pin_init(
        driver::Registration::<pci::Adapter<TestPci>>::new(c"rust_net_kunit", &THIS_MODULE),
        GFP_KERNEL,
    )?;
    drop(reg);
    let claimed = CLAIMED.load(Relaxed);
    if !claimed {
        skip();
    }
    Ok(claimed)
}

/// Marks the running test skipped: there is no free 82574L.
fn skip() {
    // SAFETY: called from a KUnit test, whose `struct kunit` is current.
    unsafe {
        bindings::netdev_kunit_skip(
            bindings::kunit_get_current_test(),
            c"no free Intel 82574L (the re1000e rig has two)".as_char_ptr(),
        )
    }
}

#[macros::kunit_tests(rust_net_dev_dma)]
mod tests {
    use super::*;

    #[test]
    fn mapped_skb_maps_the_packet_bytes() -> Result {
        if !run(MAP)? {
            return Ok(());
        }
        assert_eq!(FAILED_AT.load(Relaxed), 0);
        Ok(())
    }

    #[test]
    fn page_pool_syncs_what_the_device_wrote() -> Result {
        if !run(POOL)? {
            return Ok(());
        }
        assert_eq!(FAILED_AT.load(Relaxed), 0);
        // The registration made in the scenario was torn down there.
        assert!(DROPPED.load(Relaxed));
        Ok(())
    }

    #[test]
    fn devlink_resources_and_health() -> Result {
        if !run(DEVLINK)? {
            return Ok(());
        }
        assert_eq!(FAILED_AT.load(Relaxed), 0);
        Ok(())
    }

    #[test]
    fn registration_tears_down_in_order() -> Result {
        if !run(TEARDOWN)? {
            return Ok(());
        }
        assert_eq!(FAILED_AT.load(Relaxed), 0);
        // Unbinding dropped the registration: the private data went last, after the device
        // was unregistered and its interrupt freed.
        assert!(DROPPED.load(Relaxed));
        assert_eq!(
            DROP_REG_STATE.load(Relaxed),
            bindings::netdev_reg_state_NETREG_UNREGISTERED
        );
        assert!(!DROP_IRQ_ACTION.load(Relaxed));
        Ok(())
    }
}
