// SPDX-License-Identifier: MIT
#pragma once

#include <QtGlobal>

namespace Palaver {

//! One block of a TextStore's memory. Small blocks come from the heap. A large one (`Huge`
//! bytes) is mapped on its own, aligned to 2 MB and marked for transparent huge pages where the
//! system has them (Linux): a flood into a model fills one fresh page per 4 KB message, and on
//! this path the kernel's work per 4 KB page (a fault or a populate, the zeroing, the
//! accounting) cost more than the rest of the row; one 2 MB page costs about a quarter of that
//! per byte. Kept off the heap, the store also stops pushing the heap's top up past the
//! socket's read buffers, which glibc then gives back and faults in again.
class TextBlock {
public:
    static constexpr qsizetype Huge = qsizetype(2) * 1024 * 1024;

    //! A block of `size` bytes, uninitialized.
    explicit TextBlock(qsizetype size);
    ~TextBlock();
    TextBlock(TextBlock &&other) noexcept;
    TextBlock &operator=(TextBlock &&other) noexcept;
    TextBlock(const TextBlock &) = delete;
    TextBlock &operator=(const TextBlock &) = delete;

    char *data() const { return m_data; }
    qsizetype size() const { return m_size; }
    //! True when the block is mapped on its own (not from the heap).
    bool isMapped() const { return m_mapped; }

private:
    void release() noexcept;

    char *m_data = nullptr;
    qsizetype m_size = 0;
    bool m_mapped = false;
};

} // namespace Palaver
