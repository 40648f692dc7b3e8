// SPDX-License-Identifier: GPL-2.0

//! The ethtool self-tests that need the data path: interrupts raised through ICS and frames
//! sent in MAC loopback.

use super::*;

impl<'a> NetPriv<'a> {
    /// Interrupt self-test, with the data path down: an unmasked cause raised through ICS
    /// reaches the handler, a masked one does not.
    pub(crate) fn interrupt_test(&self) -> bool {
        let wait = || fsleep(Delta::from_millis(50));
        // With MSI-X a cause reaches a handler only through a vector IVAR routes it to.
        let cause = if self.msix {
            hw::configure_interrupts(&self.bar, true);
            regs::int::OTHER
        } else {
            regs::int::TXDW
        };
        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        let _ = self.bar.read(regs::ICR);

        let before = self.irq_count.load(Relaxed);
        self.bar.write_reg(regs::IMS::zeroed().with_mask(cause));
        self.bar.write_reg(regs::ICS::zeroed().with_causes(cause));
        wait();
        let delivered = self.irq_count.load(Relaxed) > before;

        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        let before = self.irq_count.load(Relaxed);
        self.bar.write_reg(regs::ICS::zeroed().with_causes(cause));
        wait();
        let suppressed = self.irq_count.load(Relaxed) == before;
        let _ = self.bar.read(regs::ICR);
        delivered && suppressed
    }

    /// Loopback self-test, with the data path down: frames sent with the MAC in loopback
    /// (RCTL.LBM = 11) come back through the receive ring, each intact and in order.
    /// Leaves the device reset.
    pub(crate) fn loopback_test(&self, dev: &Device) -> bool {
        let r = self.loopback_frames(dev);
        mac::quiesce(&self.bar);
        self.reset_mac();
        // No DMA any more: the rings can go.
        let rx = self.rx.lock().take();
        drop(rx);
        let tx = self.tx.lock().take();
        drop(tx);
        match r {
            Ok(n) if n == LOOPBACK_FRAMES => true,
            Ok(n) => {
                dev_err!(
                    self.pdev.as_ref(),
                    "self-test: {} of {} loopback frames came back intact\n",
                    n,
                    LOOPBACK_FRAMES
                );
                false
            }
            Err(e) => {
                dev_err!(self.pdev.as_ref(), "self-test: loopback failed: {:?}\n", e);
                false
            }
        }
    }

    /// Sends [`LOOPBACK_FRAMES`] test frames in MAC loopback and counts those that came back
    /// intact and in order.
    pub(super) fn loopback_frames(&self, dev: &Device) -> Result<u32> {
        let tx = TxRing::new(self.dma_dev(), ring::MIN_DESC)?;
        let mut rx = RxRing::new(self.dma_dev(), dev, ring::MIN_DESC, false, false)?;
        let tail = rx.refill(true).0.ok_or(ENOMEM)?;
        let addr = dev.address();
        self.bar.write_reg(regs::IMC::zeroed().with_mask(u32::MAX));
        mac::set_rar0(&self.bar, &addr);
        hw::configure_tx(&self.bar, &tx.desc)?;
        // The rings go where the data path keeps them until the test has reset the device:
        // received frames are then built as in NAPI, with bottom halves off (BH lock).
        *self.tx.lock() = Some(tx);
        hw::configure_rx(
            &self.bar,
            &rx.desc,
            hw::RxConfig {
                checksum: false,
                long_frames: false,
                msix: false,
            },
        )?;
        *self.rx.lock() = Some(rx);
        hw::set_rx_modes(&self.bar, false, false, true);
        self.bar
            .write_reg(regs::RDT::zeroed().with_tail(tail as u16));
        hw::enable_rx_tx(&self.bar);

        let mut good = 0;
        for n in 0..LOOPBACK_FRAMES {
            let frame = loopback_frame(&addr, n);
            let mut skb = SkBuff::alloc(LOOPBACK_LEN, GFP_KERNEL)?;
            skb.put_data(&frame)?;
            let opts = desc::DataOpts::default();
            let tail = {
                let mut g = self.tx.lock();
                let tx = Option::as_mut(&mut *g).ok_or(EINVAL)?;
                tx.push(skb, None, opts, 1, LOOPBACK_LEN)
                    .map_err(|(skb, e)| {
                        skb.drop_reason(DropReason::Nomem);
                        e
                    })?;
                tx.tail()
            };
            self.tx_doorbell(tail);
            // Up to 100 ms for the frame to come back.
            let mut back = None;
            for _ in 0..100 {
                let f =
                    Option::as_mut(&mut *self.rx.lock()).and_then(|r| r.next(false, false, None));
                if let Some(f) = f {
                    back = Some(f);
                    break;
                }
                fsleep(Delta::from_millis(1));
            }
            if let Some(tx) = Option::as_mut(&mut *self.tx.lock()) {
                tx.clean(None);
            }
            match back {
                Some(Ok(f)) if f.skb.head_data() == frame.as_slice() => good += 1,
                Some(_) => {}
                None => break,
            }
        }
        Ok(good)
    }
}
